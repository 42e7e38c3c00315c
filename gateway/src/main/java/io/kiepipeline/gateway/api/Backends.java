package io.kiepipeline.gateway.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/** Reads go to the service that owns the data, over its internal HTTP API. */
@Component
public class Backends {
    private final RestClient orchestrator;
    private final RestClient ledger;

    public Backends(RestClient.Builder builder, @Value("${pipeline.gateway.orchestrator-url}") String orchestratorUrl,
                    @Value("${pipeline.gateway.ledger-url}") String ledgerUrl) {
        this.orchestrator = builder.clone().baseUrl(orchestratorUrl).build();
        this.ledger = builder.clone().baseUrl(ledgerUrl).build();
    }

    public Optional<Map<String, Object>> job(String jobId) {
        try {
            return Optional.ofNullable(orchestrator.get().uri("/internal/jobs/{id}", jobId).retrieve()
                    .body(new ParameterizedTypeReference<Map<String, Object>>() {
                    }));
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatusCode.valueOf(404))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public List<Map<String, Object>> models() {
        return orchestrator.get().uri("/internal/models").retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                });
    }

    /** A top-up the ledger applied under a reference. */
    public record Deposit(String reference, long userId, long amountMinor, String currency) {
    }

    public Optional<Deposit> deposit(String reference) {
        try {
            return Optional.ofNullable(ledger.get().uri(u -> u.path("/internal/deposits")
                    .queryParam("reference", "{reference}").build(reference)).retrieve().body(Deposit.class));
        } catch (HttpClientErrorException e) {
            if (e.getStatusCode().isSameCodeAs(HttpStatusCode.valueOf(404))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Map<String, Object> account(long userId) {
        return ledger.get().uri("/internal/accounts/{id}", userId).retrieve()
                .body(new ParameterizedTypeReference<Map<String, Object>>() {
                });
    }
}
