package io.nanofleet.server.store;

public record SummaryRow(long sequence, String channel, long windowStartMs, long windowEndMs, long count, double min,
                         double max, double mean, double last) {}
