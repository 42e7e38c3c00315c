package io.kiepipeline.ledger.accounts;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface DebitRepository extends JpaRepository<Debit, UUID> {
    Optional<Debit> findByReference(String reference);
}
