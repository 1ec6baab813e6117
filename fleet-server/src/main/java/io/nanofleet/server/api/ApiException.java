package io.nanofleet.server.api;

import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A request error with its HTTP status, thrown from blocking handlers and answered as {"error": message}. */
public final class ApiException extends RuntimeException {
    private static final Logger LOG = LoggerFactory.getLogger(ApiException.class);
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /**
     * What a client may see of a failure: an ApiException as it is; anything else is unexpected, so its
     * detail goes to the server log under a short reference and the client gets only that reference.
     */
    public static ApiException of(Throwable t) {
        if (t instanceof ApiException e) {
            return e;
        }
        String ref = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("internal error (ref {})", ref, t);
        return new ApiException(500, "internal error; see the server log (ref " + ref + ")");
    }

    /**
     * {@code call} with its failures answered at the REST edge: a {@code domain} exception through
     * {@code status} (its message is meant for the operator), anything else as {@link #of}.
     */
    public static <E extends Exception> Callable<Object> answering(Class<E> domain, Function<E, Integer> status,
                                                                   Callable<Object> call) {
        return () -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw domain.isInstance(e) ? new ApiException(status.apply(domain.cast(e)), e.getMessage()) : of(e);
            }
        };
    }
}
