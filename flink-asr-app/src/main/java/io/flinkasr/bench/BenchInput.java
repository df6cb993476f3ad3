package io.flinkasr.bench;

import java.nio.file.Path;

/** One file the benchmark submits (and decodes raw): where it is and how much audio it holds. */
public record BenchInput(String name, Path file, double seconds) {}
