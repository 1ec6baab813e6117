package io.nanofleet.ota.repo;

import io.nanofleet.ota.client.Fetcher;
import io.nanofleet.ota.metadata.TufException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Serves file: URIs as a client would see the published repository, so tooling can check it as devices will. */
public final class DirectoryFetcher implements Fetcher {
    @Override
    public byte[] fetch(URI uri, long maxLength) throws TufException.FetchException, TufException.LengthOrHashException {
        Path p = Path.of(uri);
        try (InputStream in = Files.newInputStream(p)) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxLength + 1));
            if (data.length > maxLength) {
                throw new TufException.LengthOrHashException(p + " exceeds the " + maxLength + " byte limit");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new TufException.FetchException(p + " not found", 404, e);
        } catch (IOException e) {
            throw new TufException.FetchException("cannot read " + p + ": " + e, -1, e);
        }
    }
}
