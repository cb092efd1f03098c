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
-- Data for Name: orgs; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('01b1c27f-26d0-4283-ab26-f14385763e95', 'Demo: Brigade nationale de police judiciaire, Casablanca', 'police', 'MA-06', '2026-12-06 23:48:53.816103+00');
INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('d39d9add-ad66-4d77-88cc-1d99b264aca3', 'Demo: Labour inspectorate, Souss-Massa', 'labour_inspectorate', 'MA-09', '2026-12-06 23:48:58.211906+00');
INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('1ff1dd20-0f1e-4220-8121-193d829ef994', 'Demo: Women''s shelter association', 'ngo', 'MA-06', '2026-12-06 23:48:59.200593+00');
INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('24f05a19-7839-40c0-8a92-34883923ae74', 'Demo: Child protection association', 'ngo', 'MA-01', '2026-12-06 23:49:00.143949+00');
INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('3a8878a3-9a13-4bce-9ef0-5b794de9f1bf', 'Demo: Competent authority', 'competent_authority', 'MA-04', '2026-12-06 23:49:02.015903+00');
INSERT INTO identity.orgs (id, name, kind, region, created_at) VALUES ('90585579-02fc-464d-b774-328dcde2385f', 'Demo: National coordination commission', 'commission', 'MA-04', '2026-12-06 23:49:04.769259+00');


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (1, 1, 'dfa31d83-6750-4985-aee5-4b2aba9d84a2', 'audit', '{"id":"dfa31d83-6750-4985-aee5-4b2aba9d84a2","time":"2026-12-06T23:48:53.817781Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"01b1c27f-26d0-4283-ab26-f14385763e95","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:53.817787+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (2, 2, '4911b457-39b4-4b42-9e4b-87b6944b876a', 'audit', '{"id":"4911b457-39b4-4b42-9e4b-87b6944b876a","time":"2026-12-06T23:48:56.399227Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:56.39924+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (3, 3, '08992d8a-0a07-4f5a-b1fd-28da792a3b0c', 'audit', '{"id":"08992d8a-0a07-4f5a-b1fd-28da792a3b0c","time":"2026-12-06T23:48:58.209103Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"066591d0-ebd9-44ad-aa5c-ed0341f6b3cd","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:58.209111+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (4, 4, '40c95cd3-b147-4fc7-ab01-cf6cf14cfc04', 'audit', '{"id":"40c95cd3-b147-4fc7-ab01-cf6cf14cfc04","time":"2026-12-06T23:48:58.212516Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"d39d9add-ad66-4d77-88cc-1d99b264aca3","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:58.21252+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (5, 5, '10a494ae-0af5-48d9-be41-d63d426650c2', 'audit', '{"id":"10a494ae-0af5-48d9-be41-d63d426650c2","time":"2026-12-06T23:48:59.196788Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"821e62f9-56b9-44c0-b440-c72edbac237b","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:59.196795+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (6, 6, '18834ad3-aca7-49d1-9df6-cc254b32ccbb', 'audit', '{"id":"18834ad3-aca7-49d1-9df6-cc254b32ccbb","time":"2026-12-06T23:48:59.201162Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"1ff1dd20-0f1e-4220-8121-193d829ef994","outcome":"allowed","source":"identity"}', '2026-12-06 23:48:59.201166+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (7, 7, '94c6e858-11d9-4300-9875-693f2c107ed9', 'audit', '{"id":"94c6e858-11d9-4300-9875-693f2c107ed9","time":"2026-12-06T23:49:00.139954Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"50571b8a-2610-476f-95bb-7be171947def","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:00.140004+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (8, 8, '2f3522e0-e679-493f-b0b8-2fa78886e923', 'audit', '{"id":"2f3522e0-e679-493f-b0b8-2fa78886e923","time":"2026-12-06T23:49:00.151813Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"24f05a19-7839-40c0-8a92-34883923ae74","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:00.151819+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (9, 9, 'c0f451e5-398f-4105-85af-3961ea7dc325', 'audit', '{"id":"c0f451e5-398f-4105-85af-3961ea7dc325","time":"2026-12-06T23:49:01.299128Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"e175455e-3672-49af-be81-f12fea369256","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:01.299135+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (10, 10, '002ee628-5aec-432c-a8ec-2bd2933266c6', 'audit', '{"id":"002ee628-5aec-432c-a8ec-2bd2933266c6","time":"2026-12-06T23:49:02.014372Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"623e633f-1dee-4e0d-9470-08a9bd65d0ce","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:02.014382+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (11, 11, '3664ed3c-c2ff-4cf5-a5d3-f866b733912d', 'audit', '{"id":"3664ed3c-c2ff-4cf5-a5d3-f866b733912d","time":"2026-12-06T23:49:02.016296Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"3a8878a3-9a13-4bce-9ef0-5b794de9f1bf","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:02.0163+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (12, 12, '6c827712-1159-4f31-8a94-98bb63976a17', 'audit', '{"id":"6c827712-1159-4f31-8a94-98bb63976a17","time":"2026-12-06T23:49:02.741646Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"ea666b5f-3f15-4964-ace3-af8a7d4aa526","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:02.741652+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (13, 13, 'b2a1ad64-245e-4e53-a53d-39aa00237cc7', 'audit', '{"id":"b2a1ad64-245e-4e53-a53d-39aa00237cc7","time":"2026-12-06T23:49:03.649782Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"227266d5-5267-456e-9de7-1e8bc18d9239","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:03.649795+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (14, 14, 'd5e503e2-4d93-4f82-a750-71f8aed5a0e8', 'audit', '{"id":"d5e503e2-4d93-4f82-a750-71f8aed5a0e8","time":"2026-12-06T23:49:04.765751Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"2ce9f78f-dbfe-4a5a-be83-22ff5d2d7536","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:04.765759+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (15, 15, 'bf7c8b34-b23b-4c06-96a1-a9fb4b9540ef', 'audit', '{"id":"bf7c8b34-b23b-4c06-96a1-a9fb4b9540ef","time":"2026-12-06T23:49:04.770042Z","actor_user":"cli","actor_role":"system_admin","action":"identity.org.create","object_type":"org","object_id":"90585579-02fc-464d-b774-328dcde2385f","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:04.770047+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (16, 16, 'e3328777-cd15-419c-b282-04a0fcf11c06', 'audit', '{"id":"e3328777-cd15-419c-b282-04a0fcf11c06","time":"2026-12-06T23:49:05.473687Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"eafad34e-68f8-46fd-9de5-a9c8556224ac","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:05.473695+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (17, 17, '26335ba4-2d55-4ca8-ae69-36dc7a55bcd7', 'audit', '{"id":"26335ba4-2d55-4ca8-ae69-36dc7a55bcd7","time":"2026-12-06T23:49:06.339359Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"cca0afb8-8af8-4324-8552-47eb3eb9ff5a","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:06.339366+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (18, 18, '635276a9-e9d8-4b25-af4d-33004042e9c8', 'audit', '{"id":"635276a9-e9d8-4b25-af4d-33004042e9c8","time":"2026-12-06T23:49:06.927409Z","actor_user":"cli","actor_role":"system_admin","action":"identity.user.create","object_type":"user","object_id":"9cacda69-4381-4cf9-a353-c3d88a26bdf2","outcome":"allowed","source":"identity"}', '2026-12-06 23:49:06.927416+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (19, 19, 'd88c7790-347f-4411-b8ec-fabd6691ab2d', 'audit', '{"id":"d88c7790-347f-4411-b8ec-fabd6691ab2d","time":"2026-12-06T23:49:40.351163Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"identity.login","object_type":"user","object_id":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","outcome":"allowed","request_id":"eaca6e4f04793799dd75ca35199023c5","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"identity"}', '2026-12-06 23:49:40.351176+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (20, 20, 'ede1fe5e-c445-43c0-a636-0343baa34d2f', 'audit', '{"id":"ede1fe5e-c445-43c0-a636-0343baa34d2f","time":"2026-12-06T23:49:41.163834Z","actor_user":"9cacda69-4381-4cf9-a353-c3d88a26bdf2","actor_org":"90585579-02fc-464d-b774-328dcde2385f","actor_role":"system_admin","action":"identity.login","object_type":"user","object_id":"9cacda69-4381-4cf9-a353-c3d88a26bdf2","outcome":"allowed","request_id":"33b4514e5fd22b3f073d3ce20fcb0367","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"identity"}', '2026-12-06 23:49:41.163842+00');
INSERT INTO identity.outbox (pos, seq, id, topic, payload, created_at) VALUES (21, 21, 'ae4ffe24-24fb-4900-a68d-64dd86c5824b', 'audit', '{"id":"ae4ffe24-24fb-4900-a68d-64dd86c5824b","time":"2026-12-06T23:49:42.234409Z","actor_user":"50571b8a-2610-476f-95bb-7be171947def","actor_org":"1ff1dd20-0f1e-4220-8121-193d829ef994","actor_role":"ngo_caseworker","action":"identity.login","object_type":"user","object_id":"50571b8a-2610-476f-95bb-7be171947def","outcome":"allowed","request_id":"a7eb078c61c6139b40f6d332e6e1ea37","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"identity"}', '2026-12-06 23:49:42.234421+00');


--
-- Data for Name: outbox_seq; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('stats', 0, 0, 0, NULL);
INSERT INTO identity.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('audit', 21, 21, 0, NULL);


--
-- Data for Name: users; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('066591d0-ebd9-44ad-aa5c-ed0341f6b3cd', 'admin@police.demo', 'Demo organisation admin', '01b1c27f-26d0-4283-ab26-f14385763e95', 'org_admin', 'active', '$argon2id$v=19$m=65536,t=3,p=2$H/ZjTSbJ0LmrzZrK7hknjQ$jyJYakp1I/sEy8Gke4yjI1O7ZqTWBu+QqLsuwqEStdE', '\xcd2dc48546299ba858fe8b4366feed9275a67e39f30ba14959be54d182d3edd4c6b4b9d0e1e86982b188d390e62ef4a6a76b6cf64a8aa891ae10ffe7f113d1f5b1fe8d38ea6ceaa3', 0, '3c812a776c092ea59f8aba1b14c8705aadfabb94aac35eb824d3f65f857a53b1', '2026-12-06 23:48:58.208013+00', '2026-12-06 23:48:58.208013+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('821e62f9-56b9-44c0-b440-c72edbac237b', 'inspector@labour.demo', 'Demo labour inspector', 'd39d9add-ad66-4d77-88cc-1d99b264aca3', 'frontline_officer', 'active', '$argon2id$v=19$m=65536,t=3,p=2$4jVfjGpdS33mD/lWXJJanQ$perdFodP3V8Awy7ZytEA55dG0fZGLJR/Fe/kB3+8frA', '\x4412d97ebb7978d580d877024f0f32c8b59fe811d88b9182e6b72478b5cfe61bd1c4e14c41a2a5e741d2eb833550b7360fc787dabffa0612d956cf5c0baf9b257662f607774d251f', 0, '7e8b31f30e4bb6c18e914319ff059dcccdc7f3bb1796386b86dd8e79960919f1', '2026-12-06 23:48:59.192638+00', '2026-12-06 23:48:59.192638+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('e175455e-3672-49af-be81-f12fea369256', 'caseworker@child.demo', 'Demo child-protection caseworker', '24f05a19-7839-40c0-8a92-34883923ae74', 'ngo_caseworker', 'active', '$argon2id$v=19$m=65536,t=3,p=2$nqvuZCmvPlP6ZOBVMmoYQQ$hsbyeXUOY7Y4TO8FEfeb/jljwCo3otI/3lW0m81llcw', '\xc163fed02d069fce77c55bb2faea37308e2dca1c18f048c8c488d012a9c7ab45df0d28cf7578f2649a011e557e4b90d3f145121ccada35fe2307998c49c9ced27ff8516496590bc0', 0, 'a5a266695efa990fc076424a3fb681a2a70c33f304397c78ab1cf7784c50b43f', '2026-12-06 23:49:01.294792+00', '2026-12-06 23:49:01.294792+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('623e633f-1dee-4e0d-9470-08a9bd65d0ce', 'guardian@child.demo', 'Demo guardian', '24f05a19-7839-40c0-8a92-34883923ae74', 'guardian', 'active', '$argon2id$v=19$m=65536,t=3,p=2$xyBIPL1qAwU5AKLhUSxUDA$SmUYjHITYOy59+CBk83eKFKObHVDOknpulv4xXK1jiY', '\x586fd483275b39094ea4719158404ff3e3fdac2a56268e39ddac84cd78f46660f72ea19e675e23bad0394bb052410d3d6b04c480a61a0577c411026c503e5f82023a98d7a6c8ae9e', 0, 'ccb7f087410c87ed086d8c3f333fbbe1ec4430df3803324a55729205af8e43c5', '2026-12-06 23:49:02.009314+00', '2026-12-06 23:49:02.009314+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('ea666b5f-3f15-4964-ace3-af8a7d4aa526', 'decisions@authority.demo', 'Demo decision maker', '3a8878a3-9a13-4bce-9ef0-5b794de9f1bf', 'decision_maker', 'active', '$argon2id$v=19$m=65536,t=3,p=2$5UwSej5KpVbw+b7ViXUQSA$L4IUYEnNhQHjaBvSVlRoKBFP0W4KVjMriKKT64YgrOg', '\x3a88d1260eb0244f87d83470ad3e36a0634a5e7b2e441dac894547610e99d2c012369b5091a76ee33fc889419331b32be9b782cee8350e3cee54bc8587a03e371121d130481c88d5', 0, '97ab9be8b1a43526a0781161fa6e8e70f565e03945ebbdb5bb6bd97c0774d423', '2026-12-06 23:49:02.74039+00', '2026-12-06 23:49:02.74039+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('227266d5-5267-456e-9de7-1e8bc18d9239', 'decisions2@authority.demo', 'Demo second decision maker', '3a8878a3-9a13-4bce-9ef0-5b794de9f1bf', 'decision_maker', 'active', '$argon2id$v=19$m=65536,t=3,p=2$4rU2K4psj8X/YUSz/qeq8Q$uVIOfTJUuOuS1Rhh+l8rFjz04DJMx1awH4E0MEPrLnA', '\x5d25dc2ea6b8cc1f415ac878a6c2f0994528b8350e5a0c0d5ce01cfd8323e50e0d2511c844caa01dd43b55436cf0b03b848793552f087f1b5e5314ae35643f2df9465532ae985ffe', 0, '4ce799064263bc0e435e514d5f326dcd4194eb056d7637634c3d5992ece53673', '2026-12-06 23:49:03.643327+00', '2026-12-06 23:49:03.643327+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('2ce9f78f-dbfe-4a5a-be83-22ff5d2d7536', 'desk@authority.demo', 'Demo referral desk coordinator', '3a8878a3-9a13-4bce-9ef0-5b794de9f1bf', 'coordinator', 'active', '$argon2id$v=19$m=65536,t=3,p=2$bffJHEyvOQHlbd8wnDRaLw$PDHMte1l/NoLqt8uwib9PAcrDnnU6W0QBzOrNCO6BUY', '\xa618cafaadb1548d8f72683dee9b957996890fa93cfd52ab6a5151e9590ed05b85ae9a5a894b644f806031628b2034e0a04f201ba4b2499b56af5f91f86a20529a7aa9346ecf4a15', 0, '1a3c45a369c3ee0904de506022eceb1ce1debd55282d72d6585a16f9297a265d', '2026-12-06 23:49:04.756339+00', '2026-12-06 23:49:04.756339+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('eafad34e-68f8-46fd-9de5-a9c8556224ac', 'analyst@commission.demo', 'Demo commission analyst', '90585579-02fc-464d-b774-328dcde2385f', 'commission_analyst', 'active', '$argon2id$v=19$m=65536,t=3,p=2$TCbIlxCPb4wOvh/Hx4dt/g$/5crN3YlWcbTFsjOx+FAZ2lrnBlrHfGiTbTQGamY64Q', '\xb9d3f027e59586dd1e4aa49c90fd0e9525dafa851469f1e0a1ee99e618934ca6956125a6f881069ea98f581a4444413e58d9ed91dafb9f187396ac65e1b6d66152203a65f5ba8f9e', 0, '0a6cc7ee6f530606216cb8f6c331633e5ff7240948ceabd62cc4c01629eeab00', '2026-12-06 23:49:05.470669+00', '2026-12-06 23:49:05.470669+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('cca0afb8-8af8-4324-8552-47eb3eb9ff5a', 'auditor@commission.demo', 'Demo auditor (data protection officer)', '90585579-02fc-464d-b774-328dcde2385f', 'auditor', 'active', '$argon2id$v=19$m=65536,t=3,p=2$LU1JMCGED7yag1FuoTWnSg$lSXSMgKZq2EnpsoR2UcF9ZCQY5hzPFewdmpE3QlIRGM', '\x44ee1e025428159363ed76a88008d1af7cc878b08b014e0846a96090e892cb04a68b063a313efeaf7be946818d02dc61ac5eeffd011e43e733d9b39cd4a795eae274d4a74954bbe2', 0, '849d86916c86cd5ec5ec5b0221c20c49e3035d35fb79fb1bb9a93082ac26791b', '2026-12-06 23:49:06.331202+00', '2026-12-06 23:49:06.331202+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('c9afa86f-7d42-49d0-a9ff-316b2bab462a', 'officer@police.demo', 'Demo frontline officer', '01b1c27f-26d0-4283-ab26-f14385763e95', 'frontline_officer', 'active', '$argon2id$v=19$m=65536,t=3,p=2$NRqgrwvOIFXfCTI/JfCOkw$/Z6ki29ho/fDnTcOx/r2wPWmKM1Rnpiz+q9HerXcC+k', '\xdc718476852b452cff2661666b9c6350aac7a446eb238b81bbee8bceb5777e7c9b49a5998a3060a7d2999fea8d730d10be709fe548c48f701082bc22beab718152f21acb3033dbb4', 59886699, '114c494e5ed7aee4ef2883e0a3a90fa168bf60b1f07c8d9197769aab43b1597a', '2026-12-06 23:48:56.358416+00', '2026-12-06 23:48:56.358416+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('9cacda69-4381-4cf9-a353-c3d88a26bdf2', 'sysadmin@commission.demo', 'Demo system administrator', '90585579-02fc-464d-b774-328dcde2385f', 'system_admin', 'active', '$argon2id$v=19$m=65536,t=3,p=2$ESAr/W/g1zlbWB7W2KlO6w$WDB4x/E1eBC2WKEYlYdqd4+3L3ekBwgstWEMuss0fxI', '\xe109aaeea5010c4fb4fe20e49ecc71beac11173770ee7c74dd380c983757a1e17349037814ed6a68fafef08a4cad28cc516f4d0b4cb5893b32523f4ab132b5ba3151ed829aa7d109', 59886699, '08dc25b32c600337f1448a71065ebc034c0adff7923745e8505d0ae022391379', '2026-12-06 23:49:06.926781+00', '2026-12-06 23:49:06.926781+00');
INSERT INTO identity.users (id, email, display_name, org_id, roles, status, password_hash, totp_secret, totp_last_step, mac, created_at, updated_at) VALUES ('50571b8a-2610-476f-95bb-7be171947def', 'caseworker@shelter.demo', 'Demo shelter caseworker', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'ngo_caseworker', 'active', '$argon2id$v=19$m=65536,t=3,p=2$oDBlaglm1YRqADPnDsSHpw$WHblDoPp7e7v2dVaXFP5nOlhoB/giy5xDyKUhyFehxc', '\x8b5afd66e489eaeab809c6dc30d030987b82340658057929c6090b7e95ef9c5e376394c46481eb3ab71c8e72edc3ce1ba6463aadc5fe1bae50990e0c41660df4dc9ffbc97f58d5f2', 59886699, '6f5c686e2d562b07c8b2f7cebeb9a042131b8f0fc72c6c86360260f37727a267', '2026-12-06 23:49:00.114708+00', '2026-12-06 23:49:00.114708+00');


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.sessions (id, user_id, created_at, expires_at, revoked_at) VALUES ('f89802fa-6641-4832-995c-223e312715d1', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '2026-12-06 23:49:40.332622+00', '2026-12-07 11:49:40.332622+00', NULL);
INSERT INTO identity.sessions (id, user_id, created_at, expires_at, revoked_at) VALUES ('6b468933-819d-4f16-a398-e6ee08e8393f', '9cacda69-4381-4cf9-a353-c3d88a26bdf2', '2026-12-06 23:49:41.16117+00', '2026-12-07 11:49:41.16117+00', NULL);
INSERT INTO identity.sessions (id, user_id, created_at, expires_at, revoked_at) VALUES ('15030900-fe32-4ac6-8e17-1a405427f5d9', '50571b8a-2610-476f-95bb-7be171947def', '2026-12-06 23:49:42.17577+00', '2026-12-07 11:49:42.17577+00', NULL);


--
-- Data for Name: refresh_tokens; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.refresh_tokens (hash, session_id, created_at, used_at) VALUES ('ba46c353f4f73330a4b32fff17de91904269e09463e0a94c26e5243d70f851bf', 'f89802fa-6641-4832-995c-223e312715d1', '2026-12-06 23:49:40.332622+00', NULL);
INSERT INTO identity.refresh_tokens (hash, session_id, created_at, used_at) VALUES ('342fb6f43e5453af7c913a553cebf7f8a599a5ddcece249d9b8e10fa96a01610', '6b468933-819d-4f16-a398-e6ee08e8393f', '2026-12-06 23:49:41.16117+00', NULL);
INSERT INTO identity.refresh_tokens (hash, session_id, created_at, used_at) VALUES ('cbc7ec85ee45bfc2f2e6c50b7d969956089e777e8a4ebf5e510e8a1a333ee81e', '15030900-fe32-4ac6-8e17-1a405427f5d9', '2026-12-06 23:49:42.17577+00', NULL);


--
-- Data for Name: revocation_seq; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--

INSERT INTO identity.revocation_seq (id, last) VALUES (1, 0);


--
-- Data for Name: revocations; Type: TABLE DATA; Schema: identity; Owner: nrm_upgfix_owner
--



--
-- Name: outbox_new_pos_seq; Type: SEQUENCE SET; Schema: identity; Owner: nrm_upgfix_owner
--

SELECT pg_catalog.setval('identity.outbox_new_pos_seq', 21, true);


--
-- PostgreSQL database dump complete
--


