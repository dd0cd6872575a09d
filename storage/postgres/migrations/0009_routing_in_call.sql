-- Routing: the calls a professional is in that no synchronous slot counts
-- (a chat continued as a call or video, a call they were invited into).
-- While above zero the professional gets no offers; it never goes negative.
ALTER TABLE routing_professionals
    ADD COLUMN in_call integer NOT NULL DEFAULT 0 CHECK (in_call >= 0);
