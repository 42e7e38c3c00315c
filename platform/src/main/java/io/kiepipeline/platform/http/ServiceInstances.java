package io.kiepipeline.platform.http;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * The instances of one service's internal HTTP API ({@code ORCHESTRATOR_URL}, {@code LEDGER_URL}, ... may list several,
 * comma-separated): each call starts at the next one in turn, and one that cannot be reached, hangs past the read
 * timeout or answers 5xx (down, shutting down) is skipped for the next. Only for calls that are safe to repeat.
 */
public final class ServiceInstances {
    private final List<RestClient> clients;
    private final AtomicInteger next = new AtomicInteger();

    public ServiceInstances(RestClient.Builder builder, String urls, Duration connectTimeout, Duration readTimeout) {
        SimpleClientHttpRequestFactory timeouts = new SimpleClientHttpRequestFactory();
        timeouts.setConnectTimeout(connectTimeout);
        timeouts.setReadTimeout(readTimeout);
        this.clients = Arrays.stream(urls.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(u -> builder.clone().requestFactory(timeouts).baseUrl(u).build()).toList();
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("no URL given for a backend service");
        }
    }

    public <T> T read(Function<RestClient, T> call) {
        int start = Math.floorMod(next.getAndIncrement(), clients.size());
        RuntimeException last = null;
        for (int i = 0; i < clients.size(); i++) {
            try {
                return call.apply(clients.get((start + i) % clients.size()));
            } catch (ResourceAccessException | HttpServerErrorException e) {
                last = e;
            }
        }
        throw last;
    }
}
