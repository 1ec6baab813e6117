package io.nanofleet.protocols;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread factory of every NanoFleet process: named daemon threads, so a background timer or worker
 * never keeps a JVM alive after its owner stopped (agents and servers shut down explicitly, and the simulator
 * runs thousands of agents in one JVM). It lives here because this is the one module the agent, the server
 * and the simulator all depend on.
 */
public final class DaemonThreads implements ThreadFactory {
    private final String name;
    private final boolean numbered;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreads(String name, boolean numbered) {
        this.name = name;
        this.numbered = numbered;
    }

    /** Every thread gets {@code name} (for single-thread executors). */
    public static DaemonThreads named(String name) {
        return new DaemonThreads(name, false);
    }

    /** Threads are {@code name-1}, {@code name-2}, ... (for pools). */
    public static DaemonThreads numbered(String name) {
        return new DaemonThreads(name, true);
    }

    /** Starts {@code body} on a new daemon thread called {@code name}. */
    public static Thread start(String name, Runnable body) {
        Thread t = named(name).newThread(body);
        t.start();
        return t;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, numbered ? name + "-" + count.incrementAndGet() : name);
        t.setDaemon(true);
        return t;
    }
}
