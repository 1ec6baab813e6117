package io.nanofleet.server.identity;

/**
 * What enrollment tells a device about where to connect. {@code publicHost} null means "the host
 * name the device used to reach the HTTP API", which is right behind most set-ups. Ports are the bound
 * ones; a port that is not known (0) or not served (negative) gives no URL rather than one with port 0.
 */
public record DeviceEndpoints(String publicHost, String mqttScheme, int mqttPort, int coapPort) {
    /** Null when the MQTT port is unknown. */
    public String mqttUrl(String requestHost) {
        return mqttPort > 0 ? mqttScheme + "://" + host(requestHost) + ":" + mqttPort : null;
    }

    /** Null without a CoAP endpoint. */
    public String coapUrl(String requestHost) {
        return coapPort > 0 ? "coaps://" + host(requestHost) + ":" + coapPort : null;
    }

    private String host(String requestHost) {
        return publicHost != null ? publicHost : requestHost;
    }
}
