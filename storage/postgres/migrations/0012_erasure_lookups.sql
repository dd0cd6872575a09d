-- Erasure (DB.EraseClient) finds one client's rows in every table. Sessions,
-- appointments and the audit trail have client indexes already; these are
-- the rest: callback requests (the unique index covers open ones only),
-- demand contacts (the pending index covers pending ones only), wait entries
-- and routing items (the client is in their documents).
CREATE INDEX callback_requests_client_idx ON callback_requests (client);
CREATE INDEX demand_contacts_client_idx ON demand_contacts (client);
CREATE INDEX booking_waiters_client_idx ON booking_waiters ((doc->>'client'));
CREATE INDEX routing_items_client_idx ON routing_items ((doc->'Contact'->>'Client'));
-- Purge finds closed callback requests and finished appointments by time.
CREATE INDEX callback_requests_closed_idx ON callback_requests (requested_at) WHERE NOT open;
CREATE INDEX booking_appointments_start_idx ON booking_appointments (start_at);
