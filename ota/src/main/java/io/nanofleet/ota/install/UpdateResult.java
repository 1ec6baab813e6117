package io.nanofleet.ota.install;

/** LwM2M Object 5 (Firmware Update), resource 5 "Update Result". */
public enum UpdateResult {
    INITIAL(0),
    SUCCESS(1),
    NOT_ENOUGH_FLASH(2),
    OUT_OF_RAM(3),
    CONNECTION_LOST(4),
    INTEGRITY_CHECK_FAILURE(5),
    UNSUPPORTED_PACKAGE_TYPE(6),
    INVALID_URI(7),
    UPDATE_FAILED(8),
    UNSUPPORTED_PROTOCOL(9);

    public final int code;

    UpdateResult(int code) {
        this.code = code;
    }
}
