-- Results keep one index, the (event, case, initiator, responder) one of their UNIQUE constraint; the (event,
-- initiator) and (event, responder) indexes go. Every new result paid for an entry in each, a random page of each
-- index per result, which bulk imports and the shared commits of single results both felt. What they served reads the
-- cell index instead, which holds both products: a report reads one initiator's results case by case (a seek per case
-- of the event), and a list filtered by product scans the event's part of the index without touching the table but
-- for the rows that match.
DROP INDEX results_event_initiator;
DROP INDEX results_event_responder;
