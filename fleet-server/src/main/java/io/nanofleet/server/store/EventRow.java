package io.nanofleet.server.store;

public record EventRow(String deviceId, String eventId, long sequence, String type, long timestampMs, byte[] payload) {}
