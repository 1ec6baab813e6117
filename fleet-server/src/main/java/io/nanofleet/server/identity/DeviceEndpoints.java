package io.nanofleet.server.identity;

/**
 * What enrollment tells a device about where to connect. {@code publicHost} null means "the host
 * name the device used to reach the HTTP API", which is right behind most set-ups.
 */
public record DeviceEndpoints(String publicHost, String mqttScheme, int mqttPort, int coapPort) {
    public String mqttUrl(String requestHost) {
        return mqttScheme + "://" + host(requestHost) + ":" + mqttPort;
    }

    public String coapUrl(String requestHost) {
        return "coaps://" + host(requestHost) + ":" + coapPort;
    }

    private String host(String requestHost) {
        return publicHost != null ? publicHost : requestHost;
    }
}
