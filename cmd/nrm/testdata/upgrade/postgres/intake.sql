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
-- Data for Name: cases; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.cases (id, reference, route, status, owner_org, registered_by, registering_org, registering_org_kind, identified_on, region, gender, age_group, treated_as_child, birth_year, age_disputed, nationalities, exploitation_types, exploitation_location, indicators, needs, languages, dependants, risk_level, notification_id, linked_case_id, created_at, updated_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'NRM-2026-000001', 'nrm', 'registered', '01b1c27f-26d0-4283-ab26-f14385763e95', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', 'police', '2026-11-20', 'MA-06', 'female', 'adult', false, 0, false, 'NG', 'labour,sexual', 'both', '', 'medical,shelter', 'en,fr', 0, '', NULL, NULL, '2026-12-06 23:49:41.198187+00', '2026-12-06 23:49:41.198187+00');


--
-- Data for Name: alerts; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: blind_indexes; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.blind_indexes (case_id, idx, with_year) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 46092, true);


--
-- Data for Name: break_glass; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: case_workflow; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: consents; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.consents (id, case_id, purpose, granted, share_with, explained_in, interpreter, recorded_by, recorded_org, recorded_at, expires_at) VALUES ('9d769dd2-efbf-4421-aad1-75e08fc5c032', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'assistance', true, '', '', false, 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', '2026-12-06 23:49:41.213579+00', NULL);
INSERT INTO intake.consents (id, case_id, purpose, granted, share_with, explained_in, interpreter, recorded_by, recorded_org, recorded_at, expires_at) VALUES ('1f73df37-8bfc-4a0f-99ea-9c809f77215a', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'nrm_submission', true, '', '', false, 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', '2026-12-06 23:49:41.213579+00', NULL);
INSERT INTO intake.consents (id, case_id, purpose, granted, share_with, explained_in, interpreter, recorded_by, recorded_org, recorded_at, expires_at) VALUES ('8fd6548b-7cc5-441f-ba31-5399fd7daa02', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'data_sharing', true, 'health,international_org,ngo,social_services', '', false, 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '01b1c27f-26d0-4283-ab26-f14385763e95', '2026-12-06 23:49:41.213579+00', NULL);


--
-- Data for Name: decisions; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: disclosures; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: duplicates; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: entries; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: entry_keys; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: grants; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.grants (id, case_id, org_id, sections, status, purpose, service, referral_id, granted_by, created_at, updated_at) VALUES ('90af6c5f-46bd-4a40-bc29-088301e90285', '53cbbd2b-495a-4733-8b64-ff6c4aa59e13', '1ff1dd20-0f1e-4220-8121-193d829ef994', 'identity', 'active', 'referral', 'shelter', '580ebe99-41cc-48e5-bc6c-67a317462a57', 'c9afa86f-7d42-49d0-a9ff-316b2bab462a', '2026-12-06 23:49:41.245429+00', '2026-12-06 23:49:42.25737+00');


--
-- Data for Name: legal_holds; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--



--
-- Data for Name: org_keys; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at) VALUES ('01b1c27f-26d0-4283-ab26-f14385763e95', 1, 'hybrid', 'age1pq127au6xjzrvntxuqq5yx0kf65uuykuae455sx3z0xu58tckd39fzcudm5fc6vwpajvxmyne5clva353cerdfmcm7ddjcj8679r3g32uyznvqpskkc3wd3ryewp8kx3tsth4cwys4rxe4n8kx9mevpcprsxnd52kcemq52qxgs9lah7gtu9j3mztvppvwf5ceqcym2n663q60ufy8queq62sjv3emza2r9wzp5tpw5tzkyjq4tgpvnflmm9jew4zdk7gumqdvqyc930ge6g4a3gaph4zu6adze7qz4rpe8xmypcagz6syzdkzgtlk9y9dzjtltg8hujse225v3ntsgf8ex98fgy5jktj5l84ue2pp2qc0yqgr432ryuja42ty0923z42e5v5pdvjcanffxgd957setaxrtqn7r29ul0pru5jppf0ek5y9jqfrfwshcz6v4jjumllpfntcge5lvwdql02uu76kpcgthe9gjpdn5xhkuqa88ynq9qszapgh39kjpxefq9xquwduyvmjq342yjcsjp9sydfu3z23uhczta0nq2en3jycplg0vj7tv4mm35d08p5p0gkglkstt9qk8ktstcdhx28ujv60lfw4yv72fnmze8ul2r43gs5mq2cmra5ye0sav8mvcw699h9frkkfxk7t5jwfurvphj5l6k2c2lq4kkk44ktfz3u0nd7yesvtf43pkfxqpsf9847vnfkkuw3gat2sg9z3w9mymfdsxj35p3vmewfrna99smfv3lavcgpj9jqz2sfwg3vgksvpkafn90j5ptzufwczmafwdmpvmtxgeg8v94tvk2um499cmnprgc0uv2n6tcrursfyqlzu293m82su2hmm5znshfylzs99r3dyh0u7zrldhtzf4hste49yqfe6f25uzkypfg4ut2yhmfqn45znnay6n0uxhkzznsg35y2mpa53hcl7pchu4sl5pv9xlj2clrt5htr4jetv6wrsgga9vhjqra66yl26552kexx88jylenj3upjauw94v0gwewxxa2j24mjz00cqh39q2shw2zdyhddjcp3uanf2q9l06n255hj7avvq4g3945w32lwtxvftmzldc4ym2nqmqrlyuxlknwet2k9mvfqly0c3fqrch6e5twq56j2geq6uq4nzfle6kjs693c7kwdm4pf30gkaj699pt55zw5d9033pc8rcrqe797php7p9trltjk5e5kjll4t0p4e8fmz6hyz7vjfgwutkgxdhd0xxgj0ezdetnyq6jc88rlzx29qscusyg48eqxc7k92chudqh7ucj45gwzx5kct3psu9n9t58pcvzun55srdznm3e2rxwg7w6k93gersp6yd4pvgwssdquzmn8ne3zqj565c2yfg7ufxpwm2382nvtjjqkzcyk6p7j04eerx4ty85a0kgz9n39kq2yyslwdlkcqe5nat50huqmu7uyvf5qdjgpsvp3unx9xrpspk323gmee5yhess2x2yqwzxrwplnppj35yhk33tap8xeufkzjk8vlg95m0wk5mfp9tfcgsytjg4w48n3pr7nthnp7ftvtj5u9hls7f67wwzmychvacyfvtcx7l53zevyuh0fapewz98ah3f8zsqd3egtq9ad2ut8ch5d7jvgjv9dspy7prptvsdsun0a7k2g0tzvxuuaj937g27sfrvak6pwyvy9jpux5pyxzeqjrhye35d33daqasp49g9asnzhruq9pgz87gny7n06d32t6x6p2r4h3myzm979tlgxut2gav6gkucnah3xhr2ep8u9f0l3g5fd0kkyudghmy4juusk8u7zfuwauzh36xvvg5l4cd7ag4qj43ys5ggzaeux03y9dqcdv9a2f79s249nd5v4c59945ycw2zd8jgr4f7xa2xymlfknvsfe3xsuwmtxn', '\x010144f989020bc377a06da0159c6e4e42b78fbb397a5a46b55545597f5ad0ed784924efb69379387b760bcb8a38c99e5c1caaa538d0abc08d801b41d58b9224ae5a9906d0c36cd2c680602a89c5c80206023e872cf20b3b32da511e1dee3038d0d0ffb81cf844035219df58a30dfc0b89418ebd4dd9ac', 'active', '2026-12-06 23:49:41.202275+00', '2026-12-06 23:49:41.202275+00');
INSERT INTO intake.org_keys (org_id, version, kind, recipient, wrapped_identity, state, created_at, updated_at) VALUES ('1ff1dd20-0f1e-4220-8121-193d829ef994', 1, 'hybrid', 'age1pq16mdtrhvttwycc4tersk8gj4na0pck2t42gn4ryef9jh993drxvngvumk2whfvhxduvym5tpecgsfk6rvgv624952sgftqskquxxqccmmyf7rstwpua3esa2822tezsm49p5esq58jeyjzhqjl99ml4duw8gfxfsqeywa57kxkcq8l4acpl2ukk85vwsjj936g2ery4dh8hw33rpeju6azemlden5zu7fsuwcjkejdx8s04fnf04zfpm933wcvvzajs7hy9tl6xr867fu94ltzy4e66vx3jf6uyyvfevtdrggcx6fvf923jyxmtzsf4q9czg3kdsw9dpgfxzn2srr7r2njn42y5m4jk5333v2clezzrej2az6fd6hjun2a5mpm3pm645p05rmjvc75fsuve20hun5yffss7lkgxrmgw257uccxgrrswkthazcqummu3za8zrgnurtnuu68y6lx84pyq54dxnusg6e8e7r3rndnf3pegxky2jfsmv2njmmr7hmc3d8vsf0y392dk4s5fm640n3x72wffrry5apy57qzulfe3ffhjq2mxfm63je699ku4j2xzqyxhfz6vwvs2g0p5n4n7uhg8thtdqsuh8v4ucnvyqh35cpv6mlwu9gkl8favjf3tu4vq3ez8pp8nkeyv5d9ky7x3pjwg4y8cdfwf7l4x05ccj9pt2pe90uk0pcxk3ze97g7ya5nvak9a3hg973vadq9fq8qd6h4a52p80vkg8jv84rcs8apu3qn4d3wpf5cwsjhrzhnvlhjyk87fk8l5r5xh9ms7gy8j70y4m3tqa6rrsffy2jp0utxkup5npzkxpfcj7vtv2k8pylx3w5gxzp02zyvt7sdxe4kj5e64xnjvr24hk29jw34hldsfmy0vxnwvjdym6fehjgt3wdyqjwzyagrfndtlau6edsrt4jk5csnvuryunhh8s5lyvm8swakvkrz36hs2z6y3auf3sndaa2q2l7n0rsmhrc00j9dr7p3e5n2q7tujwmgyj6mu62eg72tkyl3whxckhrkx4sehj806y2xkekn8pljarrd9rv58gkzdfmnp7jhywvyg6565quvrp9shafsqn49xja5qk9qsfqfw6ce6wsjdzdqkvuc7wqld4gp7xzadczd0nvwtug7u0grvp2vzvnxvxpy4n52cqkdfvj37pqthv3uvzqgx8qz507vvt8n4gc49nf7m88vcm7kwmgygyh96y4zreek5yqxk86x6q0kupxkyt333j4pkl850wf90aamqwsn4q25h5spagzz6vecfkpefy85w5gh27y9fafcnca2j7wxadfhf56uzt9ngq32rq8rnl0ydrknzj05nqs94f4p5tt5sg5cz3dfgu08xgc2q2rq4x0zwyhaj3fqfrkmtv3wx0zdfa033z4mxhgszr9s8t3nad3rh03vef7m2ulmfz73kf6grpgrf958233zzhsw2gkudq9ug6zjtn4w8a6kzt0vc9fmljgwp2e9fq2psdhzqv9tprmuq5fe5aks5p8qp2ugm9x2qycgtmeydrxdqt98veh7h84cu5606s40ltygvu0vxumuyu5kvtqhpdu8zehyjc0ygr8nxlt4vp7f64r7kamx0ejt9p62d4tl4zlp0k9lqykyxsqcmw38ze0kjrlrax8n6dqx9kqvjnzhsvh0dfqmgnjukngfhamcm470tpcypfpeecnhtxmqqpqzr7fa950n6gkadypmyekfgl44rnuq3hyxu6juvxpavjkz6ufqwezjmxu99znw4j4xq55jemhngdyhy0g97dpdyqr3g33fpfw0tapqf69m0t3npspukyw4pt7lgyf5dfaf2sf90z2y0d8fljd3g7j0jzx2sa0d9u29u46qdzc8qcwj9gtcw0fe9nserehq794nev9h37sj9t9zywyfq5k', '\x0101ee75b34aaf6b21041f64a6a9643f3e167a0e6874c2cfaecddc7ccef19b0f28e40c3c947640faf580948d2ea1556cf25b1b9569b750ad61e5c2ea16255b53fc7620614de0f20d9b2091edbb250fff61b4be62de9684c2d0803497d817f7b6e41dd869fa59704c653e0a3a3e1d3d91ba117d4e02e1b3', 'active', '2026-12-06 23:49:41.238047+00', '2026-12-06 23:49:41.238047+00');


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (1, 1, '2a5c5dbd-543f-4b55-b41b-855f8602f8b1', 'audit', '{"id":"2a5c5dbd-543f-4b55-b41b-855f8602f8b1","time":"2026-12-06T23:49:41.213581Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"intake.case.register","object_type":"case","object_id":"53cbbd2b-495a-4733-8b64-ff6c4aa59e13","outcome":"allowed","request_id":"79df848dfd3fb460380364e2bd5a8f63","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:41.217612+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (2, 2, '7d177aa9-5007-4bc8-a82a-b77929f2e624', 'audit', '{"id":"7d177aa9-5007-4bc8-a82a-b77929f2e624","time":"2026-12-06T23:49:41.21362Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"intake.duplicate.check","object_type":"case","object_id":"53cbbd2b-495a-4733-8b64-ff6c4aa59e13","outcome":"allowed","request_id":"79df848dfd3fb460380364e2bd5a8f63","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:41.217612+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (4, 3, 'd24b0644-1e82-4bf8-85f3-b6cbf9a34a0f', 'audit', '{"id":"d24b0644-1e82-4bf8-85f3-b6cbf9a34a0f","time":"2026-12-06T23:49:41.234559Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"intake.case.summary","object_type":"case","object_id":"53cbbd2b-495a-4733-8b64-ff6c4aa59e13","outcome":"allowed","request_id":"0dbcae1aad73f32b9c179ac288d0a139","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:41.234765+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (5, 4, 'efca321d-3ae1-4ce2-9e3c-cf74a8950a7e', 'audit', '{"id":"efca321d-3ae1-4ce2-9e3c-cf74a8950a7e","time":"2026-12-06T23:49:41.256614Z","actor_user":"c9afa86f-7d42-49d0-a9ff-316b2bab462a","actor_org":"01b1c27f-26d0-4283-ab26-f14385763e95","actor_role":"frontline_officer","action":"intake.grant.create","object_type":"grant","object_id":"90af6c5f-46bd-4a40-bc29-088301e90285","outcome":"allowed","request_id":"0dbcae1aad73f32b9c179ac288d0a139","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:41.256623+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (3, 1, 'cab0b5d6-5058-43a1-8bee-7e62f65fd5cd', 'stats', '{"type":"registered","case_key":"a00c44721253176f322dcd7ccf7aa49d8d188583f9397302d7c71afde4039a48","month":"2026-12","identified_month":"2026-11","region":"MA-06","gender":"female","age_group":"adult","treated_as_child":false,"nationalities":["NG"],"exploitation_types":["labour","sexual"],"exploitation_location":"both","needs":["medical","shelter"],"route":"nrm","org_kind":"police"}', '2026-12-06 23:49:41.217612+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (6, 5, '2b8e457b-0a4b-47fc-9253-8e951605c80f', 'audit', '{"id":"2b8e457b-0a4b-47fc-9253-8e951605c80f","time":"2026-12-06T23:49:42.287854Z","actor_user":"50571b8a-2610-476f-95bb-7be171947def","actor_org":"1ff1dd20-0f1e-4220-8121-193d829ef994","actor_role":"ngo_caseworker","action":"intake.grant.activate","object_type":"grant","object_id":"90af6c5f-46bd-4a40-bc29-088301e90285","outcome":"allowed","request_id":"f5a12d0876ba9d8202a28e609e0fb74b","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:42.287868+00');
INSERT INTO intake.outbox (pos, seq, id, topic, payload, created_at) VALUES (7, 6, 'dc166fd9-ec4e-4984-ade4-b5c39ee13a72', 'audit', '{"id":"dc166fd9-ec4e-4984-ade4-b5c39ee13a72","time":"2026-12-06T23:49:42.315799Z","actor_user":"50571b8a-2610-476f-95bb-7be171947def","actor_org":"1ff1dd20-0f1e-4220-8121-193d829ef994","actor_role":"ngo_caseworker","action":"intake.case.read","object_type":"case","object_id":"53cbbd2b-495a-4733-8b64-ff6c4aa59e13","outcome":"allowed","request_id":"9b244716c652171a21a4427640dda06c","client_hash":"1d264d2d5aa1c456215e41f7f30b8924","source":"intake"}', '2026-12-06 23:49:42.319822+00');


--
-- Data for Name: outbox_seq; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('stats', 1, 1, 0, NULL);
INSERT INTO intake.outbox_seq (topic, last, delivered, attempts, retry_at) VALUES ('audit', 6, 6, 0, NULL);


--
-- Data for Name: reference_seq; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.reference_seq (year, last) VALUES (2026, 1);


--
-- Data for Name: section_macs; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.section_macs (case_id, section, version, org_id, mac) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'health', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x220c854c3e2e5c30fccb133a1f42a8954dc3bc395519fd700158214f911ca6c5');
INSERT INTO intake.section_macs (case_id, section, version, org_id, mac) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'legal', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\xd56c1335f514b4b9ccb2f0a5deb95789e5a6eab878d05b99513d8b9b106c84a8');
INSERT INTO intake.section_macs (case_id, section, version, org_id, mac) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'identity', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\xf175fc6dde9bc12a53e6c86f8a333f1d4673b020e28685358a17abc71a457404');
INSERT INTO intake.section_macs (case_id, section, version, org_id, mac) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'narrative', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x5bf2f234f567987ef954bb50343d820b9ffbe79babeb1fa45196ea7a71754e5c');
INSERT INTO intake.section_macs (case_id, section, version, org_id, mac) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'identity', 0, '1ff1dd20-0f1e-4220-8121-193d829ef994', '\xfb127bddfb5592436f15eb441584bb3a210e3ebffc153136c4a1468c4b521a01');


--
-- Data for Name: sections; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.sections (case_id, section, version, author_org, sealed, created_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'identity', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x01548b84f26639cf892f20ce4929340b01e21a7447e366a1559053f5872acf95b916dcde5866d491d43e818ddacc5902dcc8ab262becb20f11842a7a03285e12819893184b7552b7fc563a487fff81bc05313296f3d3d985888b0abc97b71eb128e1e9823f9d7e202c53005336382131f752f6fdacafb1a16d8263c14001cee10fc4ceafe589fb2bf413b4b171ddd2789ee21dcb44e278a2cd4612ee0cd33b9a181b9ad240135470e9433eb56beaa9819b908bac0168b2a73f216137e8a1a884', '2026-12-06 23:49:41.215333+00');
INSERT INTO intake.sections (case_id, section, version, author_org, sealed, created_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'narrative', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x0134ee5212eeeedcbe458ec3348650026cfb71b084674749a04ade2a6528d9a8987c7419f600a68724d22899c434fcf0915a1069d184448ae5c2d588ecdee7437edb7c2f7fc3fbb43c7a7f5c1cb7ec77b6cb8cbcdf02e79c699ab07ec9899727e4213d7f0c17d6f83fc9058cbe1185311ce59e3a447fa4d2992d686622393472d55f202ed4098358242cee978c6871ff33fea65107640d59fc45ff0bea66642b7f8f0a889d', '2026-12-06 23:49:41.215333+00');
INSERT INTO intake.sections (case_id, section, version, author_org, sealed, created_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'health', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x0173306c2d5e9db55b90fd46fb2dba0e81038c586b24243d90f1a8053435b558844202a64687dc6e0538a6a0d8bdf24aeb2c86e7294790a460653ec90a97c3346924f0d8b25eb0d11a87316480789ec05857769290ce50031fbc600aa763116a01b66f860953a4c7027dcc3b7a1a4b0dbc952ccccee8c699e0b5ef25e6560735d8bbedb6f050e89ada45bbb31d271bdf05706a1cc8279e6147e43acb2f', '2026-12-06 23:49:41.215333+00');
INSERT INTO intake.sections (case_id, section, version, author_org, sealed, created_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', 'legal', 0, '01b1c27f-26d0-4283-ab26-f14385763e95', '\x01aa9993800b4d5738410fafef547f9465003d0982b76a27561b61f26a9aecb4b8e8f48a318dc5411cdfa01aaf2f253a08236136ee8f77550984247ea1cfdac354f8d85f14f50c9a0fa65f29f9918c86e56f1c44f29ef9c95feba04328cd861265f32bfcc3352166cfc479e04fd19849ee4ddcc1f281d1de2072be174fdd8d5e7b763e4b7733ecda43c101af0a4230eaccb69a86797fdc1f3b3f28', '2026-12-06 23:49:41.215333+00');


--
-- Data for Name: wraps; Type: TABLE DATA; Schema: intake; Owner: nrm_upgfix_owner
--

INSERT INTO intake.wraps (case_id, org_id, key_version, held, wrap, mac, updated_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', '01b1c27f-26d0-4283-ab26-f14385763e95', 1, 'health:0,identity:0,legal:0,narrative:0', '\x6167652d656e6372797074696f6e2e6f72672f76310a2d3e206d6c6b656d3736387832353531392030486f76636c776c3132456f37416b59582b50343176707150717663716a595a63706a43562f354a445933554265324f6144654a676c7855727357757a4b37322f6131363549544e454d396c4d39637969576b4d6e43527a414233654879786773362b4866464630496d476b6d6f76584a3946426e36556650374e4d33634e47476a716a7275522f456a34356a317a58445737564b4c316158416c64674634646a5a76754c6e774c66476345333933434a69367448666e764c6a6b5850414f2b6c613574666a48663459304c4249744a4844477331772b6565756e4a68375430353843794550587442556834616d4d7a516273796e4c446c354d4e3154536567365a6e4e6365745342382b4c4e6679504f3167785a574c2f4f4356466d49693043755a64517641614c4171503663355846423535377a544a674e485136466c7949685256744234425046474375487369786564396f54394b6b6a65535a455878544d44702f6f46333668326444314942586c317271547a567a64644151302f486c6f4631416739612f3037366b566d36434b3050504a567347785a354c7942445647656a504a35594d707967334f6e3331506131777236692b6d375056565652516c565231646b456d7372446b6f6451646d4d65577344344c536f6e4c5a42325837566e486f4668785555686e306533324b61614273776a516e686b484e792f38676b6a696a71525a366c504c746b6b5073387156585a46346c57704730765a563453574478695051507a7367517a4d4f78774a33446674352b323445474a33705963545153535656313968485973434b76524e316b73484b454e6f3934376e512b4344366f5947616b6e366c7437364b4c3431437578464b71415263576443425451344453615451737549574562646e4871714a746c614b5967496d536775453339755158466d74543278506e594f4447473067365059367750452b374b50696c557a666d774b4a4173382b4e7370666d6a3336777a7a68556a6565386f4a617672457341745676784a6d2b6e6b624a6c7848354d796a587a75304b6451516a53725532335265394f387a6d5765576e53616f672b4c3354504a36636c493878656b566848584d7933685733537036485566395830436b7742432f726738552b543050704738394f734857444e6f4d766c6674632f33344861356f3364767361305353702f514751564451727945625254322f4434705a6a676d3676624b6f5844646e434d727a547867315072692f746764494332517653766b762f466c72454152395a63416e4647616f463073503044584b766c35535749567431497378477873504442386a4e694d6f38322b47726f58565156546b6b7a77706664783944783231474d45567267344c7054634a414b337a34334a306a412b756d767454634d4d6544416366766e313958586c7769653553665453565054393336466f32434c6d31442f59682f4e646551734a756b374965797058767870487266784c33754b6e7034342f7961526b566677555739382f2f52553139596f525667616e7264534a4d384c642f39564f7443436e585a7a3254684e4d4f70303473694854706352632f334c7859733930357555774b674c35364a44535745486e653842534656664b474d63444c6d4c386c7241514752434b6666714d75634c75636d6e4a492f37332b336b50687231425833674a7059764b3063356571394f32736a51536344756f6378512b494e6951584569705a384b7857454c6a5a626739426d703445353445357769626b78366b786f46383768522f42632b6e55456a544f4e43626e6442793574464f4b432b694f524e357857734249612f737a796d4c363369473172616f344a7766754b78437334596f5978314a594f5949654751375343614e73794b7633323447732f42656d33716b2b6f777a53727833395167644f4b44386474546e4f57356445435a4b71626146556d4a3259372b4d495070304d31534f364a66397478634b72346731696232736745545961654e676c69596f4d36324265432b7248484561686462612b475349562b6e673564670a74566577764f6c764a576631695031726f647670457962734e4c4f786463726547347a6a74706c2f55724d0a2d2d2d206d3038644f484a453576422b442f5450704e63694b32394e7a50666e3647316548434377362b537a7058730a99ab10d6eba94c3d06c8edfc95c2ff428f16b0fc762c193d926e3fff7443a08683c930017ae130aaf56c027e73e98b83a72544ac9540250de327c5fa3bd9ae1f5b4322df28b816d892890d0b421590c52d027bf4a3595bfafdbc7f432620bbe02858e1547f118add62344b6d328a8b47492b39910a2f3ebb0144dec17cf17673d7e08b383ed369e87d8ea71e3e25b8fba0e37c8d34594024f2faca7ee5956dad26b2ea73ca6f509db8258b2bf79589753eab6ae4ed5085b94ddf769145bcecc374c274085ccae6a647baada1ec89bba8533b2a2938df9dfcd10365d50d6276f83f5ca6ecfd86914582011fcfd05381e87e074728e25f6b0cf0d7e32d06ec611c7700dec7f3f87dd3b3d0c991210e0440a2347eb7bf1f297d55f9c3643be08b9cad1b9a581eef763bc65ac39ae32579ce291011f8c47eadfc0eb5f89cf933e9eb47569cfe4517714d0bcc3b66eec5dbbcd3cc611ba31660deea4239d1c72dcdc6a2af20b801e994f9eda6f16a69e0dfb372700abb4f0875345740dcaaaf683bcf8bb58bddcaf470c9d1349cc370a159d73b516aa8884056e6771b8156b7cfca2fd7d0a723fa838c0ba23fdcbb202ad4662a60fafbb53aba9c659ff95f26b277af2fc240bda525', '\xdee21aca64c378ece8bcb2dcf4f14204690b7dd7a556d5d783b9fc56b31d541d', '2026-12-06 23:49:41.215333+00');
INSERT INTO intake.wraps (case_id, org_id, key_version, held, wrap, mac, updated_at) VALUES ('53cbbd2b-495a-4733-8b64-ff6c4aa59e13', '1ff1dd20-0f1e-4220-8121-193d829ef994', 1, 'identity:0', '\x6167652d656e6372797074696f6e2e6f72672f76310a2d3e206d6c6b656d373638783235353139206a36636334475a3166626c3350375a6b7858796578326d714b31487837437651767475415432753142322f444d61535031725543415476595936484b574956563463544241756a6f654167334c4b674235722f6f3747357750486a67506b596944724331434e4a38586b414b4e514276694335744c335346636e66377462757a6566576b3466693376346637666d7762572b714f4b71787370764b7256575838494a677463352b5447465038767436546c48776c6e676763564b31314a56515a6e2b39584f627631433748346d573636766544797467756a354276794a4750795468514f764d746b5048354e47315a4f6b47524e6b7963704367656b534f57706872364b716679715333344956354f785472536b4234726c596a762b442b4c72434857737673774a634e6b4e45486d714f485370754b62356e427a574c6e4f73435951534437684d31787a6330374e58344469484136774f5a7275514378624159665351327566456d42516d58304472372f4c72546a75336c50657a66506b712b3238436f7447496f49774b623367487a5254306d66492b70566350566e7967456c41385952326d48312b7450793343494532726f644c71492f653737584b39573430454d4846554f5751675a50794d5743484a422b345831785367732b396b32534f6b304d35345a4b417a652f3770666c4576434f716c39535166566a7662734e6239617676357749443647644274316c364a4f4363583758434846302b452b7436454330795a594e53475a67516e45586d616c58395576743174755642685263797a712b6f36396d6a6a61526e4d306b564a66584242787039526d74544d46684b645845626c63766549722f6c557a783834317561524c7035586f50714354574b45612b6c7437397352496c4f533730355838487079504969664b79616f434c7a683238444e65745330334a597750422b4c4d6155726a562f3572375078526b796d577045334c7a4367766a5562464258354d66704d546e74344f4444456f70646732473934374d6572305855334266547846676c2b7375594a6b335a354567492b7354797354616e5033366a3963736161683938765544673539624c6c64705662564e424830636d4b434a76516d687247725655794b57666859464275452f362f4342784a7639505136322f463259714567677766634b6d346746726d325858304479734a62394533656e556659435245777366776a37425a4d336d6d485032344e74356f6832334e3245416d3144397542337943416b4f313054726f76614a634356536168357638333955442b45447a64715032713234547a383665444e414a653373504a6e487053536c4c487067372b3930373467517a5733317765684c5130307a6d68362b4d5372415a644379574a4333596861337a4b2b5a6f5275616b674d776e70335a386f4b596d42667667366c744349734a2f49324c484e336b79652f676a71694e4a73675975626a3068742f50707a2b5a63506a424e7a6d654a2b6e59354b4a6d4569424b6951532b76653850395551496a416a344c704f73754676777939432b75355a32726f4a504f66574a366d4b456d6b46316f777a7733627645736958774d4942497a557534476c522b70305a7068506e414c6c4c57786f725375527a4139627462546a746e654e432b4459374155463049777348756a4d6331727a32786b494c54546b6a585945497a44747356723062374777682b534530754533572b4178584a66324936434c44427355754553674979395a3146444761345053776448394154722f444a624c507a76666e7a473741386f476554387442714f507575696e3850517236366c697846336c35742b5766722f546b576d746137726f44385a706c43613951386a6f707959382f357564634e38756c6e71586d3275456b457053353267366f7647796e4636476e67477a61673530392b38694245534c724171686f5a5a7251466e4865715a466f5a5a2b72705a59712b72474d6c7161634c4b394a563356373778653438775a585644694e7a41746b492b7548742b75484851457837424d415a6b58670a584955467068766f58354a792f536f796e48554b6734304b7963536a4379444a64394d4a4a6c672f7069590a2d2d2d206d6535306e596753783146495535342b6c4c5041514c734d4a7075334c3475637a7a6f54656c664d7838630a7f79c07fd11522d8b6042a77b19ba1f3d01fd93081a18bdbad3ec7d4642c017f37cfb94bc72876d9829199c5ef1e4974bffba617f7c56937fa207792e6187e363c50df6dddb17de153a7b2846ae2c0d7ab1a6df335972785f758810d0697d69ac2cc30b71e4b9cd7cf7fcac8fa4f35872d665bcfdcf81b9bbb8e86ac30945a8f55cc026901482c24c883baea88d3539ae7c3c4c12d40a711be8b68131387651c85783b0b7f8cff83bc', '\x7a22cb39e4c68a9bfdcb3ddd7bc21aaeb8c3e52babd4b99c56a7d63a5c9b33b2', '2026-12-06 23:49:41.255887+00');


--
-- Name: outbox_new_pos_seq; Type: SEQUENCE SET; Schema: intake; Owner: nrm_upgfix_owner
--

SELECT pg_catalog.setval('intake.outbox_new_pos_seq', 7, true);


--
-- PostgreSQL database dump complete
--


