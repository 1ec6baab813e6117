package io.nanofleet.agent.enroll;

/** Enrollment failed; the message says why and what to do next. */
public final class EnrollmentException extends Exception {
    public EnrollmentException(String message) {
        super(message);
    }

    public EnrollmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
