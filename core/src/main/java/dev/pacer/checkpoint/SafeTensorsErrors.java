package dev.pacer.checkpoint;

/**
 * The one-line refusals of a damaged safetensors file that more than one reading stage raises, so
 * that a truncated file reads the same whether the file size was known up front or the data ran
 * out mid-stream.
 */
final class SafeTensorsErrors {

    /** What to do about any damaged checkpoint file: an older checkpoint is intact. */
    private static final String RESUME_ADVICE = "Delete this checkpoint directory to resume from the previous one.";

    /** Advice appended to messages about a damaged file. */
    static final String DAMAGED_ADVICE = "the file is corrupt or is not a safetensors file. " + RESUME_ADVICE;

    private SafeTensorsErrors() {}

    static CheckpointFormatException headerPastEnd(String src, long headerLen, long avail) {
        return new CheckpointFormatException(
                src,
                "truncated or not a safetensors file: header length field says "
                        + headerLen
                        + " bytes but only "
                        + avail
                        + " bytes follow the 8-byte prefix; "
                        + DAMAGED_ADVICE);
    }

    static CheckpointFormatException truncated(String src, long promised, long present) {
        return new CheckpointFormatException(
                src,
                "truncated safetensors file: header promises "
                        + promised
                        + " bytes of tensor data but only "
                        + present
                        + " are present; the file was cut off (interrupted copy or write). "
                        + RESUME_ADVICE);
    }

    static CheckpointFormatException trailing(String src, long promised, long extra) {
        return new CheckpointFormatException(
                src,
                "unexpected "
                        + extra
                        + " trailing bytes after the "
                        + promised
                        + " bytes of tensor data the header declares; the file was appended to or its header is"
                        + " damaged. "
                        + RESUME_ADVICE);
    }
}
