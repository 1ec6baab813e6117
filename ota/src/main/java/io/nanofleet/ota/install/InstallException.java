package io.nanofleet.ota.install;

/** An update that did not complete, with the LwM2M result code that reports why. */
public class InstallException extends Exception {
    private static final long serialVersionUID = 1L;
    private final UpdateResult result;

    public InstallException(UpdateResult result, String message, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    public UpdateResult result() {
        return result;
    }
}
