--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Data for Name: notifications; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.notifications (seq, org_id, referral_id, event, created_at) VALUES (1, '1ff1dd20-0f1e-4220-8121-193d829ef994', '580ebe99-41cc-48e5-bc6c-67a317462a57', 'offered', '2026-12-06 23:49:41.27042+00');
INSERT INTO referral.notifications (seq, org_id, referral_id, event, created_at) VALUES (2, '01b1c27f-26d0-4283-ab26-f14385763e95', '580ebe99-41cc-48e5-bc6c-67a317462a57', 'accepted', '2026-12-06 23:49:42.249435+00');


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.outbox (pos, seq, id, topic, payload, created_at) VALUES (1, 1, '47009ba8-ecb1-42ad-ab72-e2184094e07a', 'audit', '{"id":"47009ba8-ecb1-42ad-ab72-e2184094e07a","time":"2026-12-06T23:49:41.171736Z","actor_user":"9cacda69-4381-4cf9-a353-c3d88a26bdf2","actor_org":"90585579-02fc-464d-b774-328dcde2385f","actor_role":"system_admin","action":"referral.provider.update","object_type":"provider","object_id":"1ff1dd20-0f1e-4220-8121-193d829ef994","outcome":"allowed","request_id":"b2bb72abb5dce2c20da4b7293e4a7827","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"referral"}', '2026-12-06 23:49:41.171747+00');
INSERT INTO referral.outbox (pos, seq, id, topic, payload, created_at) VALUES (2, 2, 'dbd356c3-0aa9-4be9-b404-7a4b3c719946', 'audit', '{"id":"dbd356c3-0aa9-4be9-b404-7a4b3c719946","time":"2026-12-06T23:49:41.268947Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"referral.referral.create","object_type":"referral","object_id":"580ebe99-41cc-48e5-bc6c-67a317462a57","outcome":"allowed","request_id":"0dbcae1aad73f32b9c179ac288d0a139","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"referral"}', '2026-12-06 23:49:41.268956+00');
INSERT INTO referral.outbox (pos, seq, id, topic, payload, created_at) VALUES (3, 1, '5e0df5ad-92fc-4c5d-b00c-01467a255774', 'stats', '{"id":"69a3c653-f260-4ded-894c-bd736eb730b5","type":"referral_created","case_key":"a00c44721253176f322dcd7ccf7aa49d8d188583f9397302d7c71afde4039a48","month":"2026-12","region":"MA-06","age_group":"adult","treated_as_child":false,"referral_key":"400fd0ebd4782c33b5749f5d8323305d14c894579f7ea86b3fced7756c1269fb","service":"shelter","urgency":"normal","group_size":1}', '2026-12-06 23:49:41.26941+00');
INSERT INTO referral.outbox (pos, seq, id, topic, payload, created_at) VALUES (5, 3, '10144b70-af8c-4236-ab17-aff02a4e92a8', 'audit', '{"id":"10144b70-af8c-4236-ab17-aff02a4e92a8","time":"2026-12-06T23:49:42.250908Z","actor_user":"50571b8a-2610-476f-95bb-7be171947def","actor_org":"1ff1dd20-0f1e-4220-8121-193d829ef994","actor_role":"ngo_caseworker","action":"referral.referral.accept","object_type":"referral","object_id":"580ebe99-41cc-48e5-bc6c-67a317462a57","outcome":"allowed","request_id":"f5a12d0876ba9d8202a28e609e0fb74b","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"referral"}', '2026-12-06 23:49:42.25092+00');
INSERT INTO referral.outbox (pos, seq, id, topic, payload, created_at) VALUES (4, 2, 'b890e904-53ee-45c5-a951-da86bfe9f5b4', 'stats', '{"id":"c39ffbd1-c608-44b1-a1fc-197c86aafa3e","type":"referral_accepted","case_key":"a00c44721253176f322dcd7ccf7aa49d8d188583f9397302d7c71afde4039a48","month":"2026-12","region":"MA-06","age_group":"adult","treated_as_child":false,"referral_key":"400fd0ebd4782c33b5749f5d8323305d14c894579f7ea86b3fced7756c1269fb","service":"shelter","urgency":"normal","response_seconds":1,"group_size":1}', '2026-12-06 23:49:42.249015+00');


--
-- Data for Name: outbox_seq; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('audit', 3, 3, 0, NULL);
INSERT INTO referral.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('stats', 2, 2, 0, NULL);


--
-- Data for Name: providers; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.providers (org_id, name, kind, region, regions, genders, accepts_children, accepts_adults, accepts_dependants, languages, availability, hours, active, webhook_url, median_response_s, updated_at) VALUES ('1ff1dd20-0f1e-4220-8121-193d829ef994', 'Shelter', 'ngo', 'MA-06', '["MA-06"]', '[]', false, true, true, '["ar","fr"]', '24/7', '', true, '', 1, '2026-12-06 23:49:41.169711+00');


--
-- Data for Name: provider_services; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.provider_services (org_id, service, places, used) VALUES ('1ff1dd20-0f1e-4220-8121-193d829ef994', 'shelter', 5, 1);


--
-- Data for Name: referrals; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.referrals (id, kind, case_id, case_owner_org, sender_org, sender_user, service, urgency, status, region, gender, age_group, treated_as_child, languages, group_size, sections, fan_out, accepted_org, places_reserved, legal_basis, destination, created_at, updated_at) VALUES ('580ebe99-41cc-48e5-bc6c-67a317462a57', 'internal', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', '01b1c27f-26d0-4283-ab26-f14385763e95', '01b1c27f-26d0-4283-ab26-f14385763e95', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', 'shelter', 'normal', 'accepted', 'MA-06', 'female', 'adult', false, '["en","fr"]', 1, '["identity"]', 1, '1ff1dd20-0f1e-4220-8121-193d829ef994', 1, '', '', '2026-12-06 23:49:41.235715+00', '2026-12-06 23:49:42.244282+00');


--
-- Data for Name: referral_candidates; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--

INSERT INTO referral.referral_candidates (referral_id, org_id, rank, status, reasons, grant_id, grant_state, offered_at, deadline_at, responded_at, decline_reason, decline_note) VALUES ('580ebe99-41cc-48e5-bc6c-67a317462a57', '1ff1dd20-0f1e-4220-8121-193d829ef994', 1, 'accepted', '["same_region","language_match","load_low","no_response_history"]', '90af6c5f-46bd-4a40-bc29-088301e90285', 'active', '2026-12-06 23:49:41.235715+00', '2026-12-09 23:49:41.235715+00', '2026-12-06 23:49:42.244282+00', '', '');


--
-- Data for Name: referral_disclosures; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--



--
-- Data for Name: referral_packages; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--



--
-- Data for Name: webhook_deliveries; Type: TABLE DATA; Schema: referral; Owner: nrm_upgfix_owner
--



--
-- Name: notifications_seq_seq; Type: SEQUENCE SET; Schema: referral; Owner: nrm_upgfix_owner
--

SELECT pg_catalog.setval('referral.notifications_seq_seq', 2, true);


--
-- Name: outbox_new_pos_seq; Type: SEQUENCE SET; Schema: referral; Owner: nrm_upgfix_owner
--

SELECT pg_catalog.setval('referral.outbox_new_pos_seq', 5, true);


--
-- PostgreSQL database dump complete
--


