-- 1,000,000 enquiries over the last 30 days, 1,000,000 call logs, 200,000 texts, 1,000,000
-- integration log rows, a few thousand jobs: what a busy agency holds after some years.
-- Dates are what Fluent stores on SQLite: seconds since 1970 as a REAL.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
CREATE TEMP TABLE seed_now AS SELECT CAST(strftime('%s', 'now') AS REAL) AS t;

BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000)
INSERT INTO contact_submissions (id, first_name, last_name, email, phone, company, service_interest, message, source,
  consent, consent_at, ip, user_agent, status, external_id, synced_at, exported_at, sync_error, created_at, updated_at,
  first_contact_at, first_contact_seconds)
SELECT n, 'Person' || n, 'Surname' || (n % 9973),
  CASE WHEN n % 20 = 0 THEN NULL ELSE 'person' || n || '@example' || (n % 97) || '.com' END,
  CASE WHEN n % 10 = 3 THEN NULL ELSE '+1555' || printf('%07d', n) END,
  'Company ' || (n % 5003), 'Consulting', 'I would like to talk about project ' || n || '.', 'contact_form',
  1, t - (1000000 - n) * 2.592, '203.0.113.' || (n % 250), 'Mozilla/5.0 (bench)',
  CASE WHEN n % 100 < 90 THEN 'synced' WHEN n % 100 < 95 THEN 'pending' WHEN n % 100 < 98 THEN 'failed' ELSE 'exported' END,
  CASE WHEN n % 100 < 90 THEN 'sd-' || n END,
  CASE WHEN n % 100 < 90 THEN t - (1000000 - n) * 2.592 + 1 END,
  CASE WHEN n % 100 >= 98 THEN t - (1000000 - n) * 2.592 + 60 END,
  CASE WHEN n % 100 BETWEEN 95 AND 97 THEN 'The given data was invalid. (email: The email must be a valid email address.)' END,
  t - (1000000 - n) * 2.592, t - (1000000 - n) * 2.592,
  -- Four in five enquiries with a phone were called or texted, from seconds to a day after.
  CASE WHEN n % 10 != 3 AND n % 5 != 0 THEN t - (1000000 - n) * 2.592 + (n * 37) % 86400 END,
  CASE WHEN n % 10 != 3 AND n % 5 != 0 THEN (n * 37) % 86400 END
FROM s, seed_now;
COMMIT;

BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000)
INSERT INTO call_logs (id, ringcentral_id, session_id, direction, type, action, result, start_time, duration,
  from_data, to_data, contact_submission_id, other_party_phone, created_at, updated_at)
SELECT n, 'call-' || n, 'session-' || n, CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END, 'voice',
  'Phone Call', CASE n % 5 WHEN 0 THEN 'Missed' WHEN 1 THEN 'Voicemail' ELSE 'Accepted' END,
  t - (1000000 - n) * 2.592, n % 600,
  '{"phoneNumber":"+1555' || printf('%07d', n) || '","name":"Person' || n || '"}',
  '{"phoneNumber":"+15550000001","name":"Office"}',
  CASE WHEN n % 5 < 3 THEN n END, '+1555' || printf('%07d', n),
  t - (1000000 - n) * 2.592, t - (1000000 - n) * 2.592
FROM s, seed_now;
COMMIT;

BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200000)
INSERT INTO sms_messages (id, ringcentral_id, contact_submission_id, direction, from_number, to_number, text, status,
  sent_at, created_at, updated_at)
SELECT n, 'sms-' || n, CASE WHEN n % 4 < 3 THEN n * 5 END, CASE WHEN n % 3 = 0 THEN 'inbound' ELSE 'outbound' END,
  '+15550000001', '+1555' || printf('%07d', n * 5), 'Thanks for your enquiry, number ' || n || '.',
  CASE n % 10 WHEN 0 THEN 'DeliveryFailed' WHEN 1 THEN 'Queued' ELSE 'Delivered' END,
  t - (200000 - n) * 12.96, t - (200000 - n) * 12.96, t - (200000 - n) * 12.96
FROM s, seed_now;
COMMIT;

BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000)
INSERT INTO integration_logs (id, provider, action, request_id, status, related_type, related_id, payload, response,
  error_message, http_status, duration_ms, created_at, updated_at)
SELECT n, CASE WHEN n % 4 = 0 THEN 'ringcentral' ELSE 'suitedash' END,
  CASE WHEN n % 4 = 0 THEN 'call_log_sync' WHEN n % 4 = 1 THEN 'contact_lookup' ELSE 'contact_create' END,
  'req-' || n, CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'success' END,
  CASE WHEN n % 4 = 0 THEN NULL ELSE 'contact_submission' END, CASE WHEN n % 4 = 0 THEN NULL ELSE n END,
  '{"email":"person' || n || '@example.com"}', '{"success":true}',
  CASE WHEN n % 50 = 0 THEN 'SuiteDash answered 503.' END, CASE WHEN n % 50 = 0 THEN 503 ELSE 200 END, 80 + n % 200,
  t - (1000000 - n) * 2.592, t - (1000000 - n) * 2.592
FROM s, seed_now;
COMMIT;

BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000)
INSERT INTO jobs (kind, payload, attempts, max_attempts, available_at, unique_key, created_at, updated_at)
SELECT 'suitedash.sync-enquiry', '{"submissionID":' || (n * 400) || '}', n % 3, 8, t + 86400 + n, 'bench-' || n, t, t FROM s, seed_now;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
INSERT INTO failed_jobs (job_id, kind, payload, attempts, error, failed_at, created_at, updated_at)
SELECT 100000 + n, 'suitedash.sync-enquiry', '{"submissionID":' || n || '}', 8, 'SuiteDash answered 503.', t - n * 60, t - n * 60, t - n * 60
FROM s, seed_now;
COMMIT;
ANALYZE;
