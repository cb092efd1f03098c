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
-- Data for Name: checkpoints; Type: TABLE DATA; Schema: audit; Owner: nrm_upgfix_owner
--

INSERT INTO audit.checkpoints (size, root, note, created_at) VALUES (21, '\xf159711279d5d3a6ee651eac99cc61cc7523896160d3f3c1c1c8f52b10b5eab5', 'nrm.local/audit
21
8VlxEnnV06buZR6smcxhzHUjiWFg0/PBwcj1KxC16rU=

— nrm.local/audit uQD2Wzx23qV41AcLa+svI6HMCeck24zD8YFS3sh4mpb5hbFRr99N6vBgZXwSVIbV4ntwOtgbjov9cq21NnurLOW5BQ8=
', '2026-12-06 23:49:16.960298+00');
INSERT INTO audit.checkpoints (size, root, note, created_at) VALUES (33, '\x20926e3aa84bbda6e6b70ec0befd2cf4c90ed675ce4c14571958ccb171f6299e', 'nrm.local/audit
33
IJJuOqhLvabmtw7Avv0s9MkO1nXOTBRXGVjMsXH2KZ4=

— nrm.local/audit uQD2W0twnbJMZh2shmSuxmDkTS3u6MN4Df8jmMjSQvEaudFJOjeqdK0Wxv1XUnxwxyBZloEHyPS/BFLma7E9UXBWSAw=
', '2026-12-06 23:49:46.953961+00');


--
-- Data for Name: events; Type: TABLE DATA; Schema: audit; Owner: nrm_upgfix_owner
--

INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (0, 'dfa31d83-6750-4985-aee5-4b2aba9d84a2', '2026-12-06 23:48:53.817781+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', '01b1c27f-26d0-4283-ab26-f14385763e95', 'allowed', '', '', 'identity', 1);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (1, '4911b457-39b4-4b42-9e4b-87b6944b876a', '2026-12-06 23:48:56.399227+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', 'allowed', '', '', 'identity', 2);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (2, '08992d8a-0a07-4f5a-b1fd-28da792a3b0c', '2026-12-06 23:48:58.209103+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '066591d0-ebd9-44ad-aa5c-ed0341f6b3cd', 'allowed', '', '', 'identity', 3);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (3, '40c95cd3-b147-4fc7-ab01-cf6cf14cfc04', '2026-12-06 23:48:58.212516+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', 'd39d9add-ad66-4d77-88cc-1d99b264aca3', 'allowed', '', '', 'identity', 4);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (4, '10a494ae-0af5-48d9-be41-d63d426650c2', '2026-12-06 23:48:59.196788+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '821e62f9-56b9-44c0-b440-c72edbac237b', 'allowed', '', '', 'identity', 5);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (5, '18834ad3-aca7-49d1-9df6-cc254b32ccbb', '2026-12-06 23:48:59.201162+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'allowed', '', '', 'identity', 6);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (6, '94c6e858-11d9-4300-9875-693f2c107ed9', '2026-12-06 23:49:00.139954+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '50571b8a-2610-476f-95bb-7be171947def', 'allowed', '', '', 'identity', 7);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (7, '2f3522e0-e679-493f-b0b8-2fa78886e923', '2026-12-06 23:49:00.151813+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', '24f05a19-7839-40c0-8a92-34883923ae74', 'allowed', '', '', 'identity', 8);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (8, 'c0f451e5-398f-4105-85af-3961ea7dc325', '2026-12-06 23:49:01.299128+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', 'e175455e-3672-49af-be81-f12fea369256', 'allowed', '', '', 'identity', 9);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (9, '002ee628-5aec-432c-a8ec-2bd2933266c6', '2026-12-06 23:49:02.014372+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '623e633f-1dee-4e0d-9470-08a9bd65d0ce', 'allowed', '', '', 'identity', 10);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (10, '3664ed3c-c2ff-4cf5-a5d3-f866b733912d', '2026-12-06 23:49:02.016296+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', '3a8878a3-9a13-4bce-9ef0-5b794de9f1bf', 'allowed', '', '', 'identity', 11);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (11, '6c827712-1159-4f31-8a94-98bb63976a17', '2026-12-06 23:49:02.741646+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', 'ea666b5f-3f15-4964-ace3-af8a7d4aa526', 'allowed', '', '', 'identity', 12);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (12, 'b2a1ad64-245e-4e53-a53d-39aa00237cc7', '2026-12-06 23:49:03.649782+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '227266d5-5267-456e-9de7-1e8bc18d9239', 'allowed', '', '', 'identity', 13);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (13, 'd5e503e2-4d93-4f82-a750-71f8aed5a0e8', '2026-12-06 23:49:04.765751+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '2ce9f78f-dbfe-4a5a-be83-22ff5d2d7536', 'allowed', '', '', 'identity', 14);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (14, 'bf7c8b34-b23b-4c06-96a1-a9fb4b9540ef', '2026-12-06 23:49:04.770042+00', 'cli', '', 'system_admin', 'identity.org.create', 'org', '90585579-02fc-464d-b774-328dcde2385f', 'allowed', '', '', 'identity', 15);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (15, 'e3328777-cd15-419c-b282-04a0fcf11c06', '2026-12-06 23:49:05.473687+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', 'eafad34e-68f8-46fd-9de5-a9c8556224ac', 'allowed', '', '', 'identity', 16);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (16, '26335ba4-2d55-4ca8-ae69-36dc7a55bcd7', '2026-12-06 23:49:06.339359+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', 'cca0afb8-8af8-4324-8552-47eb3eb9ff5a', 'allowed', '', '', 'identity', 17);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (17, '635276a9-e9d8-4b25-af4d-33004042e9c8', '2026-12-06 23:49:06.927409+00', 'cli', '', 'system_admin', 'identity.user.create', 'user', '9cacda69-4381-4cf9-a353-c3d88a26bdf2', 'allowed', '', '', 'identity', 18);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (18, '30de0390-ec9a-4cd0-ab97-08e9e4a551ba', '2026-12-06 23:49:07.114367+00', 'svc:stats', '', 'service', 'stats.release.create', 'stats.release', 'sched-2026-11-20261206', 'allowed', '', '', 'stats', 1);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (19, '076ef333-fbdd-4599-9a9f-507e33274ebd', '2026-12-06 23:49:07.227935+00', 'svc:stats', '', 'service', 'stats.release.create', 'stats.release', 'sched-2026-Q3-20261206', 'allowed', '', '', 'stats', 2);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (20, '9a66d3a7-c544-4f29-b486-f0da57d394fa', '2026-12-06 23:49:07.272967+00', 'svc:stats', '', 'service', 'stats.release.create', 'stats.release', 'sched-2025-20261206', 'allowed', '', '', 'stats', 3);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (21, 'd88c7790-347f-4411-b8ec-fabd6691ab2d', '2026-12-06 23:49:40.351163+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'identity.login', 'user', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', 'allowed', 'eaca6e4f04793799dd75ca35199023c5', '1d264d2d5aa1c456215e41f7f30b8924', 'identity', 19);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (22, '47009ba8-ecb1-42ad-ab72-e2184094e07a', '2026-12-06 23:49:41.171736+00', '9cacda69-4381-4cf9-a353-c3d88a26bdf2', '90585579-02fc-464d-b774-328dcde2385f', 'system_admin', 'referral.provider.update', 'provider', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'allowed', 'b2bb72abb5dce2c20da4b7293e4a7827', '1d264d2d5aa1c456215e41f7f30b8924', 'referral', 1);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (23, 'dbd356c3-0aa9-4be9-b404-7a4b3c719946', '2026-12-06 23:49:41.268947+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'referral.referral.create', 'referral', '580ebe99-41cc-48e5-bc6c-67a317462a57', 'allowed', '0dbcae1aad73f32b9c179ac288d0a139', '1d264d2d5aa1c456215e41f7f30b8924', 'referral', 2);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (24, '2a5c5dbd-543f-4b55-b41b-855f8602f8b1', '2026-12-06 23:49:41.213581+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'intake.case.register', 'case', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'allowed', '79df848dfd3fb460380364e2bd5a8f63', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 1);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (25, '7d177aa9-5007-4bc8-a82a-b77929f2e624', '2026-12-06 23:49:41.21362+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'intake.duplicate.check', 'case', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'allowed', '79df848dfd3fb460380364e2bd5a8f63', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 2);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (26, 'd24b0644-1e82-4bf8-85f3-b6cbf9a34a0f', '2026-12-06 23:49:41.234559+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'intake.case.summary', 'case', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'allowed', '0dbcae1aad73f32b9c179ac288d0a139', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 3);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (27, 'efca321d-3ae1-4ce2-9e3c-cf74a8950a7e', '2026-12-06 23:49:41.256614+00', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'intake.grant.create', 'grant', '90af6c5f-46bd-4a40-bc29-088301e90285', 'allowed', '0dbcae1aad73f32b9c179ac288d0a139', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 4);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (28, 'ede1fe5e-c445-43c0-a636-0343baa34d2f', '2026-12-06 23:49:41.163834+00', '9cacda69-4381-4cf9-a353-c3d88a26bdf2', '90585579-02fc-464d-b774-328dcde2385f', 'system_admin', 'identity.login', 'user', '9cacda69-4381-4cf9-a353-c3d88a26bdf2', 'allowed', '33b4514e5fd22b3f073d3ce20fcb0367', '1d264d2d5aa1c456215e41f7f30b8924', 'identity', 20);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (29, '10144b70-af8c-4236-ab17-aff02a4e92a8', '2026-12-06 23:49:42.250908+00', '50571b8a-2610-476f-95bb-7be171947def', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'ngo_caseworker', 'referral.referral.accept', 'referral', '580ebe99-41cc-48e5-bc6c-67a317462a57', 'allowed', 'f5a12d0876ba9d8202a28e609e0fb74b', '1d264d2d5aa1c456215e41f7f30b8924', 'referral', 3);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (30, 'ae4ffe24-24fb-4900-a68d-64dd86c5824b', '2026-12-06 23:49:42.234409+00', '50571b8a-2610-476f-95bb-7be171947def', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'ngo_caseworker', 'identity.login', 'user', '50571b8a-2610-476f-95bb-7be171947def', 'allowed', 'a7eb078c61c6139b40f6d332e6e1ea37', '1d264d2d5aa1c456215e41f7f30b8924', 'identity', 21);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (31, '2b8e457b-0a4b-47fc-9253-8e951605c80f', '2026-12-06 23:49:42.287854+00', '50571b8a-2610-476f-95bb-7be171947def', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'ngo_caseworker', 'intake.grant.activate', 'grant', '90af6c5f-46bd-4a40-bc29-088301e90285', 'allowed', 'f5a12d0876ba9d8202a28e609e0fb74b', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 5);
INSERT INTO audit.events (idx, id, at, actor_user, actor_org, actor_role, action, object_type, object_id, outcome, request_id, client_hash, source, seq) VALUES (32, 'dc166fd9-ec4e-4984-ade4-b5c39ee13a72', '2026-12-06 23:49:42.315799+00', '50571b8a-2610-476f-95bb-7be171947def', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'ngo_caseworker', 'intake.case.read', 'case', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'allowed', '9b244716c652171a21a4427640dda06c', '1d264d2d5aa1c456215e41f7f30b8924', 'intake', 6);


--
-- Data for Name: gaps; Type: TABLE DATA; Schema: audit; Owner: nrm_upgfix_owner
--



--
-- Data for Name: hashes; Type: TABLE DATA; Schema: audit; Owner: nrm_upgfix_owner
--

INSERT INTO audit.hashes (idx, hash) VALUES (0, '\xd3188e3da1465f8952208fdee4f2e85ede0f8d00421e856a8f4d1aa031b0fa2d');
INSERT INTO audit.hashes (idx, hash) VALUES (1, '\x088e39a686907aa5a6a056f5802f8d492089f487d48ef1ba67920a4eadddd6db');
INSERT INTO audit.hashes (idx, hash) VALUES (2, '\xdb83298441c5a518009f60bdc96ff06f90549c1de199b28f85d5b4996363d7f7');
INSERT INTO audit.hashes (idx, hash) VALUES (3, '\xae669ce28178d35de83ea70459691d4985026949c4810e71a1877602dd913aa5');
INSERT INTO audit.hashes (idx, hash) VALUES (4, '\x7feb9b136ba56a08ba96845c7f402369c0cf3c5bb44abc813846e48b8d1735d6');
INSERT INTO audit.hashes (idx, hash) VALUES (5, '\x149e6ba1f24e2e3018dbad364de8ac805897de212ea257ffb54a6f519d5fcc99');
INSERT INTO audit.hashes (idx, hash) VALUES (6, '\x6b74ad95bbdf53d856dfe1a1716e440d1b7a900d87b73f397acfd7f0ec5e1f68');
INSERT INTO audit.hashes (idx, hash) VALUES (7, '\x9f619f91512e0d756e8fd30cd36e50ca820bef8ffc2160f1d72b2a696de507a4');
INSERT INTO audit.hashes (idx, hash) VALUES (8, '\x56ab1f473a648e1249de313788ea1b5a47460b7b856aed3f1e54ed827d56fd65');
INSERT INTO audit.hashes (idx, hash) VALUES (9, '\xe06836e510d599f3ab4724b110c7bab04ae8ca95d4c52277c400a7053eeee43a');
INSERT INTO audit.hashes (idx, hash) VALUES (10, '\x282fb5a0af6c29be4c1c021fcb7804679a8cc48ff118eac3944624ad54d208bc');
INSERT INTO audit.hashes (idx, hash) VALUES (11, '\xb96c60e0958a55c3296f5193cacb38e2bf8b9363b4fea89e834d2f1e51a18db7');
INSERT INTO audit.hashes (idx, hash) VALUES (12, '\x6b53c9f3bc5cdce092061693d51db50df79ba670645c56bcb21f30d66e111960');
INSERT INTO audit.hashes (idx, hash) VALUES (13, '\x381f986b44574fa60e7256aab45cd2580c3b4bc0f7c5e2876011b6e5a02e88b8');
INSERT INTO audit.hashes (idx, hash) VALUES (14, '\x136d36f9cda0c31a1d3470ca048b7d641f86ac3ebe37304cd3887933c25cd83a');
INSERT INTO audit.hashes (idx, hash) VALUES (15, '\xf63cf7286fa0476b47166a23f66bd346254ba3c2961a59ba550dbdb1fa852a56');
INSERT INTO audit.hashes (idx, hash) VALUES (16, '\xb8b6da56439a2118d30a59f7498d039379d88435bbb74f6b24c48d22feda50bf');
INSERT INTO audit.hashes (idx, hash) VALUES (17, '\xfa35a86c86923ead04435617aa75a60ea0dcdefa8b0967981f767029ab5778fc');
INSERT INTO audit.hashes (idx, hash) VALUES (18, '\x3b222d8101e009630c474e3bfef075a0415e3c068e156a8ab8a1208ccf96a948');
INSERT INTO audit.hashes (idx, hash) VALUES (19, '\xc6400b95140362791877104af7ca4c74688ca02bcd8cca9943bf51a2b007e0ec');
INSERT INTO audit.hashes (idx, hash) VALUES (20, '\x564a1310561f8678a7f316b4b743ff27afa933a57eddbbe113ae615f5f7a18a2');
INSERT INTO audit.hashes (idx, hash) VALUES (21, '\xb98989ed11e9a3f083d5ffb463aac236a5647a67d90444f1cad4eb089db613b5');
INSERT INTO audit.hashes (idx, hash) VALUES (22, '\x0a79aacb221a17f2c70c68aae72317ce6a34137a7ea6c437c1d11ae901338109');
INSERT INTO audit.hashes (idx, hash) VALUES (23, '\x098bcf7e4a27e64d8d63ebd58c62c24b9b117659939a20aeee20a8568cbd0b41');
INSERT INTO audit.hashes (idx, hash) VALUES (24, '\xbbbceb77f70bee9b8a2d947db066efaeadc73901322b48a90d8d0a5df215d05e');
INSERT INTO audit.hashes (idx, hash) VALUES (25, '\xadf607e20404dbc8d0c06d7cc0d5714a6d343c188b753414675b53db117b014e');
INSERT INTO audit.hashes (idx, hash) VALUES (26, '\xf352ad7074f23cf31f3fab1d58db2e9e4176deebb4936536c5d9c68f20cbdffa');
INSERT INTO audit.hashes (idx, hash) VALUES (27, '\x1c3e6b31674c17400c856751c27d3fcb6962c151933e4771c23aae347c381abd');
INSERT INTO audit.hashes (idx, hash) VALUES (28, '\x72fb04cae472694e808f6f2b2cbe01ef3984fdd239b5241e562ed58b300bbc96');
INSERT INTO audit.hashes (idx, hash) VALUES (29, '\xb83c949962cae34855bd2dbfb9db0dedcf02cdd93ad58ce57306b6dead2c1437');
INSERT INTO audit.hashes (idx, hash) VALUES (30, '\x56634b338a8d2a17a0af2872f1bcfa332f989f9022e92e22019aa373cd8b9948');
INSERT INTO audit.hashes (idx, hash) VALUES (31, '\xf5a9d1d919845319c552f68a543d2458ae1e2284eedc8201aea505d09a23c1c5');
INSERT INTO audit.hashes (idx, hash) VALUES (32, '\x2337c62cc2c2a3e4df0e8c058af19dc7e45c75a10777eeb626abf7ed39a104bc');
INSERT INTO audit.hashes (idx, hash) VALUES (33, '\xc6dd35ee5528badbd9221fab52dcfb32dbad3c720eea8a52356db26cd5bc00b5');
INSERT INTO audit.hashes (idx, hash) VALUES (34, '\x754031afd686a0ba42f5aa0ad77bb0267f9d152e524bc87d898bdc2da076dd72');
INSERT INTO audit.hashes (idx, hash) VALUES (35, '\x591855f829bc426dbe6a7cb9a2da10bdb33d040c04bd0741ae3c7d87d6d84785');
INSERT INTO audit.hashes (idx, hash) VALUES (36, '\xd69cb2cbf453e3c5d7c5be28bb9625834aa033b6676b4d2b9c64cc2226aed215');
INSERT INTO audit.hashes (idx, hash) VALUES (37, '\x79218abd4ad2b5dbee9fa08309c6cd15efbb3b4bf19f0d182d327f05c5ba202b');
INSERT INTO audit.hashes (idx, hash) VALUES (38, '\x28d68dbdaadbb70beebb96790d323e37689f2c5763ab062b6471fc44ebff8ba6');
INSERT INTO audit.hashes (idx, hash) VALUES (39, '\xaaf6c4c1fbff19ab6ce5ef372df5c46a44d70a2461ccde8f7888e15a363da11a');
INSERT INTO audit.hashes (idx, hash) VALUES (40, '\x5b846cc57eab7aaf398abafaedd9c46b60a7da646de53277527acd5dd12e6c92');
INSERT INTO audit.hashes (idx, hash) VALUES (41, '\x4ba6573b190273e5ba70b6d2ea88c81c72f905987c2464da3b9be8e77c4f4f0f');
INSERT INTO audit.hashes (idx, hash) VALUES (42, '\x021fe46eb23341ff3e3c065dea58d6f29d624292f8f0a0f0c7e4e5a284329316');
INSERT INTO audit.hashes (idx, hash) VALUES (43, '\x82ad058ee2880fc6954aa40e05ef145ee12e28b87ecc3b534584ec8c42bf68c6');
INSERT INTO audit.hashes (idx, hash) VALUES (44, '\xf1aa8b6a4cee60a85dc4a5cd3e3dc634a6e2b3aa66667f2479c2b775b281b30b');
INSERT INTO audit.hashes (idx, hash) VALUES (45, '\x3b94dd8e84a731274050b038e0434bdc7d48a9a57d160ba27445895ad96102a8');
INSERT INTO audit.hashes (idx, hash) VALUES (46, '\xf468a299e7a6c1cd6e9a4dc98a101ede3c9990f876d23063ca31d5eec9e33825');
INSERT INTO audit.hashes (idx, hash) VALUES (47, '\xc069a74589e860478997bea92d753098cf525fe729fe88a6bfc860bf282db384');
INSERT INTO audit.hashes (idx, hash) VALUES (48, '\xcd209c3ef6330bb2528523180079b2246a2658b6e6e2c26b235f7a1175473fcc');
INSERT INTO audit.hashes (idx, hash) VALUES (49, '\xc590a34e0ee3148905fe8b43ae4e447aed9124d824bba34d4f6f37e379f05c02');
INSERT INTO audit.hashes (idx, hash) VALUES (50, '\x257875d8e0698d06da08c452d6a780c2d6e2567fa717e07dfeaa059155ce5bf3');
INSERT INTO audit.hashes (idx, hash) VALUES (51, '\x81ecc668b0ab08fe60bf4af1d8664c216ced4a18227e7bffa93880d6405c8bdd');
INSERT INTO audit.hashes (idx, hash) VALUES (52, '\x804ce37df8b428d67b2e65d4e05b663b25db235533298a2e894e294ea4957fc1');
INSERT INTO audit.hashes (idx, hash) VALUES (53, '\x8c7808acb25cf5ff3fac7667d5bdd99f7aee6abea9ca5799bac2e45abf059840');
INSERT INTO audit.hashes (idx, hash) VALUES (54, '\x7875f6a546a64dd7b7da7962529cc9306adb61dcab1ccf20c6962a40047d4f4d');
INSERT INTO audit.hashes (idx, hash) VALUES (55, '\xd09f5bde0da88448de3f6c719bea4c4eb9a7e41b2636eda9cf1b6ff0819b5344');
INSERT INTO audit.hashes (idx, hash) VALUES (56, '\x2b4eddceb809716ee764a9f977947b5179779fda7d02d24682eceebf82eb9ecd');
INSERT INTO audit.hashes (idx, hash) VALUES (57, '\x1b4547c96f6c65b61e93bf917f92f9b52f9cabe6f5fc4d8743dc31ae93a47874');
INSERT INTO audit.hashes (idx, hash) VALUES (58, '\x12108ed2f19d29bf6adf220599e0bfcd974b948df5cc35d9d0d74f11661092aa');
INSERT INTO audit.hashes (idx, hash) VALUES (59, '\xb664850ce245ba53585b47e34c74cd91c85cbf55183570c0dc2ae085553dd1d7');
INSERT INTO audit.hashes (idx, hash) VALUES (60, '\x4b71e02b1488cd1897dd208c623fcdb3a5e6306d48e840ff25c9bdaeacee8953');
INSERT INTO audit.hashes (idx, hash) VALUES (61, '\xe491bca89c3614fb324c959acd9949420eaa5e9e9a7b923a18a856a9d4ce5f65');
INSERT INTO audit.hashes (idx, hash) VALUES (62, '\xef5358f9e609884b83510dbb9e5b8b4e593a58165b7bb6eaf392973867017155');
INSERT INTO audit.hashes (idx, hash) VALUES (63, '\x3ce32936d01ee7c14aedf1e1a3bb61143074a1be6759ca2c431ead545c4b25f5');


--
-- PostgreSQL database dump complete
--


