-- The same rows as seed-sqlite.sql, for PostgreSQL.
SET synchronous_commit = off;
CREATE TEMP TABLE seed_now AS SELECT now() AS t;

INSERT INTO contact_submissions (id, first_name, last_name, email, phone, company, service_interest, message, source,
  consent, consent_at, ip, user_agent, status, external_id, synced_at, exported_at, sync_error, created_at, updated_at,
  first_contact_at, first_contact_seconds)
SELECT n, 'Person' || n, 'Surname' || (n % 9973),
  CASE WHEN n % 20 = 0 THEN NULL ELSE 'person' || n || '@example' || (n % 97) || '.com' END,
  CASE WHEN n % 10 = 3 THEN NULL ELSE '+1555' || lpad(n::text, 7, '0') END,
  'Company ' || (n % 5003), 'Consulting', 'I would like to talk about project ' || n || '.', 'contact_form',
  true, t - (1000000 - n) * interval '2.592 seconds', '203.0.113.' || (n % 250), 'Mozilla/5.0 (bench)',
  CASE WHEN n % 100 < 90 THEN 'synced' WHEN n % 100 < 95 THEN 'pending' WHEN n % 100 < 98 THEN 'failed' ELSE 'exported' END,
  CASE WHEN n % 100 < 90 THEN 'sd-' || n END,
  CASE WHEN n % 100 < 90 THEN t - (1000000 - n) * interval '2.592 seconds' + interval '1 second' END,
  CASE WHEN n % 100 >= 98 THEN t - (1000000 - n) * interval '2.592 seconds' + interval '1 minute' END,
  CASE WHEN n % 100 BETWEEN 95 AND 97 THEN 'The given data was invalid. (email: The email must be a valid email address.)' END,
  t - (1000000 - n) * interval '2.592 seconds', t - (1000000 - n) * interval '2.592 seconds',
  -- Four in five enquiries with a phone were called or texted, from seconds to a day after.
  CASE WHEN n % 10 != 3 AND n % 5 != 0 THEN t - (1000000 - n) * interval '2.592 seconds' + ((n * 37) % 86400) * interval '1 second' END,
  CASE WHEN n % 10 != 3 AND n % 5 != 0 THEN (n * 37) % 86400 END
FROM generate_series(1, 1000000) AS n, seed_now;
SELECT setval(pg_get_serial_sequence('contact_submissions', 'id'), 1000000);

INSERT INTO call_logs (id, ringcentral_id, session_id, direction, type, action, result, start_time, duration,
  from_data, to_data, contact_submission_id, other_party_phone, created_at, updated_at)
SELECT n, 'call-' || n, 'session-' || n, CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END, 'voice',
  'Phone Call', CASE n % 5 WHEN 0 THEN 'Missed' WHEN 1 THEN 'Voicemail' ELSE 'Accepted' END,
  t - (1000000 - n) * interval '2.592 seconds', n % 600,
  ('{"phoneNumber":"+1555' || lpad(n::text, 7, '0') || '","name":"Person' || n || '"}')::jsonb,
  '{"phoneNumber":"+15550000001","name":"Office"}'::jsonb,
  CASE WHEN n % 5 < 3 THEN n END, '+1555' || lpad(n::text, 7, '0'),
  t - (1000000 - n) * interval '2.592 seconds', t - (1000000 - n) * interval '2.592 seconds'
FROM generate_series(1, 1000000) AS n, seed_now;
SELECT setval(pg_get_serial_sequence('call_logs', 'id'), 1000000);

INSERT INTO sms_messages (id, ringcentral_id, contact_submission_id, direction, from_number, to_number, text, status,
  sent_at, created_at, updated_at)
SELECT n, 'sms-' || n, CASE WHEN n % 4 < 3 THEN n * 5 END, CASE WHEN n % 3 = 0 THEN 'inbound' ELSE 'outbound' END,
  '+15550000001', '+1555' || lpad((n * 5)::text, 7, '0'), 'Thanks for your enquiry, number ' || n || '.',
  CASE n % 10 WHEN 0 THEN 'DeliveryFailed' WHEN 1 THEN 'Queued' ELSE 'Delivered' END,
  t - (200000 - n) * interval '12.96 seconds', t - (200000 - n) * interval '12.96 seconds', t - (200000 - n) * interval '12.96 seconds'
FROM generate_series(1, 200000) AS n, seed_now;
SELECT setval(pg_get_serial_sequence('sms_messages', 'id'), 200000);

INSERT INTO integration_logs (id, provider, action, request_id, status, related_type, related_id, payload, response,
  error_message, http_status, duration_ms, created_at, updated_at)
SELECT n, CASE WHEN n % 4 = 0 THEN 'ringcentral' ELSE 'suitedash' END,
  CASE WHEN n % 4 = 0 THEN 'call_log_sync' WHEN n % 4 = 1 THEN 'contact_lookup' ELSE 'contact_create' END,
  'req-' || n, CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'success' END,
  CASE WHEN n % 4 = 0 THEN NULL ELSE 'contact_submission' END, CASE WHEN n % 4 = 0 THEN NULL ELSE n END,
  ('{"email":"person' || n || '@example.com"}')::jsonb, '{"success":true}'::jsonb,
  CASE WHEN n % 50 = 0 THEN 'SuiteDash answered 503.' END, CASE WHEN n % 50 = 0 THEN 503 ELSE 200 END, 80 + n % 200,
  t - (1000000 - n) * interval '2.592 seconds', t - (1000000 - n) * interval '2.592 seconds'
FROM generate_series(1, 1000000) AS n, seed_now;
SELECT setval(pg_get_serial_sequence('integration_logs', 'id'), 1000000);

INSERT INTO jobs (kind, payload, attempts, max_attempts, available_at, unique_key, created_at, updated_at)
SELECT 'suitedash.sync-enquiry', '{"submissionID":' || (n * 400) || '}', n % 3, 8, t + interval '1 day' + n * interval '1 second',
  'bench-' || n, t, t FROM generate_series(1, 2000) AS n, seed_now;
INSERT INTO failed_jobs (job_id, kind, payload, attempts, error, failed_at, created_at, updated_at)
SELECT 100000 + n, 'suitedash.sync-enquiry', '{"submissionID":' || n || '}', 8, 'SuiteDash answered 503.',
  t - n * interval '1 minute', t - n * interval '1 minute', t - n * interval '1 minute'
FROM generate_series(1, 5000) AS n, seed_now;
VACUUM ANALYZE;
