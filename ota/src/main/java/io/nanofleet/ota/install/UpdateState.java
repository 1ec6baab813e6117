package io.nanofleet.ota.install;

/** LwM2M Object 5 (Firmware Update), resource 3 "State". */
public enum UpdateState {
    IDLE(0),
    DOWNLOADING(1),
    DOWNLOADED(2),
    UPDATING(3);

    public final int code;

    UpdateState(int code) {
        this.code = code;
    }
}
