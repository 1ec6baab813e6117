package io.nanofleet.server;

/**
 * Points logback at our configuration. HiveMQ CE ships its own logback.xml on the classpath, so ours has
 * a distinct name and the entry points select it before the first logger is created.
 */
public final class Logging {
    public static final String CONFIG = "nanofleet-logback.xml";

    private Logging() {}

    public static void configure() {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", CONFIG);
        }
    }
}
