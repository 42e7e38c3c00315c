package io.kiepipeline.ledger.accounts;

import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Read side for the gateway: a user's balances. Writes only ever arrive through Kafka. */
@RestController
class AccountController {
    private final AccountRepository accounts;
    private final String currency;

    private final DepositRepository deposits;

    AccountController(AccountRepository accounts, DepositRepository deposits,
                      @Value("${pipeline.currency}") String currency) {
        this.accounts = accounts;
        this.deposits = deposits;
        this.currency = currency;
    }

    /** A top-up applied under this reference, so the gateway can refuse a reference reused for another top-up. */
    record DepositView(String reference, long userId, long amountMinor, String currency) {
    }

    @GetMapping("/internal/deposits")
    @Transactional(readOnly = true)
    ResponseEntity<DepositView> deposit(@RequestParam String reference) {
        return deposits.findByReference(reference)
                .map(d -> ResponseEntity.ok(new DepositView(reference, d.userId(), d.amountMinor(), d.currency())))
                .orElseGet(() -> ResponseEntity.notFound().build());
    }

    @GetMapping("/internal/accounts/{userId}")
    @Transactional(readOnly = true)
    ResponseEntity<Map<String, Object>> account(@PathVariable long userId) {
        return ResponseEntity.ok(accounts.findById(userId)
                .map(a -> Map.<String, Object>of("userId", userId, "availableMinor", a.availableMinor(),
                        "heldMinor", a.heldMinor(), "capturedMinor", a.capturedMinor(),
                        "depositedMinor", a.depositedMinor(), "debitedMinor", a.debitedMinor(),
                        "currency", a.currency()))
                .orElseGet(() -> Map.of("userId", userId, "availableMinor", 0L, "heldMinor", 0L,
                        "capturedMinor", 0L, "depositedMinor", 0L, "debitedMinor", 0L, "currency", currency)));
    }
}
