package io.flinkasr.output;

/**
 * How subtitle cues are laid out: at most {@code maxLineWidth} characters a line, at most
 * {@code maxLines} lines a cue, at most {@code maxSeconds} on screen. The default is what subtitle
 * editors and broadcasters ask for: two lines of 42 characters, 7 seconds.
 */
public record SubtitleLayout(int maxLineWidth, int maxLines, double maxSeconds) {
    public static final int MIN_LINE_WIDTH = 10;
    public static final int MAX_LINE_WIDTH = 200;
    public static final int MAX_LINES = 10;
    public static final double MIN_SECONDS = 1.0;
    public static final double MAX_SECONDS = 60.0;

    public static final SubtitleLayout DEFAULT = new SubtitleLayout(42, 2, 7.0);

    public SubtitleLayout {
        if (maxLineWidth < MIN_LINE_WIDTH || maxLineWidth > MAX_LINE_WIDTH) {
            throw new IllegalArgumentException("the line width must be from " + MIN_LINE_WIDTH + " to " + MAX_LINE_WIDTH
                    + " characters, not " + maxLineWidth);
        }
        if (maxLines < 1 || maxLines > MAX_LINES) {
            throw new IllegalArgumentException("the line count must be from 1 to " + MAX_LINES + ", not " + maxLines);
        }
        if (!(maxSeconds >= MIN_SECONDS && maxSeconds <= MAX_SECONDS)) {
            throw new IllegalArgumentException("a cue must be allowed from " + (int) MIN_SECONDS + " to " + (int) MAX_SECONDS
                    + " seconds, not " + maxSeconds);
        }
    }

    public SubtitleLayout withLineWidth(int width) {
        return new SubtitleLayout(width, maxLines, maxSeconds);
    }

    public SubtitleLayout withLines(int lines) {
        return new SubtitleLayout(maxLineWidth, lines, maxSeconds);
    }

    public SubtitleLayout withSeconds(double seconds) {
        return new SubtitleLayout(maxLineWidth, maxLines, seconds);
    }
}
