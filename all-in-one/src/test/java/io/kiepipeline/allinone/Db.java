package io.kiepipeline.allinone;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the services' tables directly, to check what the APIs cannot show (journal, holds, outboxes). */
final class Db {
    private final String url;

    Db(EmbeddedPipeline pipeline) {
        this.url = pipeline.jdbcUrl();
    }

    long count(String sql, Object... args) {
        return ((Number) rows(sql, args).getFirst().values().iterator().next()).longValue();
    }

    List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    int update(String sql, Object... args) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fault no retry cures (like a bug): the ledger's table refuses a top-up with this reference until the returned
     * handle is closed (the operator removed the cause), so its command ends on the dead-letter topic.
     */
    AutoCloseable blockDeposit(long user, String reference) {
        update("create function ledger.block_" + user + "() returns trigger language plpgsql as $$ begin"
                + " if new.reference = '" + reference + "' then raise exception 'blocked by the test'; end if;"
                + " return new; end $$");
        update("create trigger block_" + user + " before insert on ledger.deposit for each row execute function"
                + " ledger.block_" + user + "()");
        return () -> {
            update("drop trigger block_" + user + " on ledger.deposit");
            update("drop function ledger.block_" + user + "()");
        };
    }
}
