package dev.pacer.data;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * 128 bits of a document's SHA-256, the key of exact-duplicate removal: at that width two
 * different documents of any real corpus collide with negligible probability, so "same hash"
 * can stand for "same text" without keeping the texts.
 */
public record DocumentHash(long hi, long lo) implements Serializable {

    public static DocumentHash of(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(d);
            return new DocumentHash(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
