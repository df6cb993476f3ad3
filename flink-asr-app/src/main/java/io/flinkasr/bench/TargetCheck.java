package io.flinkasr.bench;

/** One target of issue 12 against what this run measured. */
public record TargetCheck(String target, String measured, Verdict verdict) {

    public enum Verdict {
        MET("MET"),
        NOT_MET("NOT MET"),
        SKIPPED("SKIPPED");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Verdict of(boolean met) {
            return met ? MET : NOT_MET;
        }
    }
}
