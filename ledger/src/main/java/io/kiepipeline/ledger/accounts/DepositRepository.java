package io.kiepipeline.ledger.accounts;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface DepositRepository extends JpaRepository<Deposit, UUID> {
    Optional<Deposit> findByReference(String reference);
}
