package io.kiepipeline.kieworker.tasks;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface KieTaskRepository extends JpaRepository<KieTask, UUID> {
}
