package io.nanofleet.server.store;

public record CommandRow(String commandId, String deviceId, String action, long issuedMs, long expiresMs, String status,
                         String resultMessage, Long resultMs) {}
