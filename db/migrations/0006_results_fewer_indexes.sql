-- Results lose their (event, responder) index. Every new result paid for an entry in it, a random page of the index
-- per result, which a bulk import and the shared commits of single results both felt; what it served, results filtered
-- by responder (or by product, either side), reads the event's entries of the (event, case, initiator, responder)
-- index instead, which holds the responder too: a scan of the event's part of that index, without touching the table
-- but for the rows that match. (event, initiator) stays: reports read the results one initiator at a time through it.
DROP INDEX results_event_responder;
