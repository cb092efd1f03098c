package page

// messages is every message of the pages, one map from three.
var messages = merge(coreMessages, pageMessages, codeMessages, frontlineMessages, auditMessages, adminMessages, commissionMessages)

func mergePlural(ms ...map[string]pmsg) map[string]pmsg {
	out := map[string]pmsg{}
	for _, m := range ms {
		for k, v := range m {
			if _, dup := out[k]; dup {
				panic("web: plural message " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}

func merge(ms ...map[string]msg) map[string]msg {
	out := map[string]msg{}
	for _, m := range ms {
		for k, v := range m {
			if _, dup := out[k]; dup {
				panic("web: message " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}

var pageMessages = map[string]msg{
	"label.form":                     {"Form", "Formulaire", "النموذج"},
	"label.route":                    {"Which route does the person choose?", "Quelle voie la personne choisit-elle ?", "أي مسار يختاره الشخص؟"},
	"label.identified_on":            {"Date of identification", "Date d'identification", "تاريخ التعرف"},
	"label.region":                   {"Region", "Région", "الجهة"},
	"label.gender":                   {"Gender", "Genre", "الجنس"},
	"label.age_group":                {"Age", "Âge", "العمر"},
	"label.age_disputed":             {"The age is disputed", "L'âge est contesté", "العمر متنازع عليه"},
	"label.birth_year":               {"Year of birth, if known (optional)", "Année de naissance, si connue (facultatif)", "سنة الميلاد إن كانت معروفة (اختياري)"},
	"label.nationalities":            {"Nationalities", "Nationalités", "الجنسيات"},
	"hint.nationalities":             {"Two-letter country codes, separated by commas: MA, NG, SN. Or stateless, unknown.", "Codes pays à deux lettres, séparés par des virgules : MA, NG, SN. Ou stateless, unknown.", "رموز الدول من حرفين مفصولة بفواصل: MA, NG, SN. أو stateless أو unknown."},
	"label.languages":                {"Languages the person speaks", "Langues parlées par la personne", "اللغات التي يتحدثها الشخص"},
	"hint.languages":                 {"Two-letter language codes, separated by commas: ar, fr, en. The first is used for letters.", "Codes de langue à deux lettres, séparés par des virgules : ar, fr, en. La première sert aux courriers.", "رموز اللغات من حرفين مفصولة بفواصل: ar, fr, en. تُستعمل الأولى في الرسائل."},
	"label.dependants":               {"Dependants with the person (optional)", "Personnes à charge accompagnant la personne (facultatif)", "المُعالون المرافقون للشخص (اختياري)"},
	"label.consent":                  {"Consent", "Consentement", "الموافقة"},
	"label.consent.assistance":       {"Agrees to receive help", "Accepte de recevoir de l'aide", "يوافق على تلقي المساعدة"},
	"label.consent.nrm_referral":     {"Agrees to be submitted to the competent authority", "Accepte d'être soumis à l'autorité compétente", "يوافق على إحالته إلى السلطة المختصة"},
	"label.consent.data_sharing":     {"Agrees to share what is needed with providers", "Accepte le partage du nécessaire avec les prestataires", "يوافق على مشاركة ما يلزم مع مقدمي الخدمات"},
	"label.consent.explained_in":     {"Language the consent was explained in", "Langue dans laquelle le consentement a été expliqué", "اللغة التي شُرحت بها الموافقة"},
	"hint.consent.explained_in":      {"Two-letter code, such as ar", "Code à deux lettres, comme ar", "رمز من حرفين مثل ar"},
	"label.consent.interpreter":      {"An interpreter was present", "Un interprète était présent", "كان مترجم حاضرًا"},
	"label.exploitation_types":       {"Forms of exploitation", "Formes d'exploitation", "أشكال الاستغلال"},
	"label.exploitation_location":    {"Where the exploitation took place", "Lieu de l'exploitation", "مكان الاستغلال"},
	"label.indicators":               {"Indicators observed (optional)", "Indicateurs observés (facultatif)", "المؤشرات الملاحظة (اختياري)"},
	"label.needs":                    {"Needs", "Besoins", "الاحتياجات"},
	"label.risk_level":               {"Risk to the person (optional)", "Risque pour la personne (facultatif)", "الخطر على الشخص (اختياري)"},
	"label.identity":                 {"Identity", "Identité", "الهوية"},
	"label.identity.full_name":       {"Full name", "Nom complet", "الاسم الكامل"},
	"label.identity.name_variants":   {"Other names or spellings", "Autres noms ou graphies", "أسماء أو كتابات أخرى"},
	"hint.identity.name_variants":    {"One per line", "Un par ligne", "واحد في كل سطر"},
	"label.identity.date_of_birth":   {"Date of birth", "Date de naissance", "تاريخ الميلاد"},
	"hint.identity.date_of_birth":    {"Such as 1999-04-02, or only the year", "Comme 1999-04-02, ou seulement l'année", "مثل 1999-04-02، أو السنة فقط"},
	"label.identity.contacts":        {"How to reach the person safely", "Comment joindre la personne en sécurité", "كيفية التواصل مع الشخص بأمان"},
	"label.identity.documents":       {"Identity documents", "Documents d'identité", "وثائق الهوية"},
	"label.narrative":                {"Account", "Récit", "الرواية"},
	"label.narrative.account":        {"The person's account", "Récit de la personne", "رواية الشخص"},
	"label.health":                   {"Health", "Santé", "الصحة"},
	"label.health.notes":             {"Health notes", "Notes de santé", "ملاحظات صحية"},
	"label.legal":                    {"Legal", "Juridique", "الوضع القانوني"},
	"label.legal.notes":              {"Legal notes", "Notes juridiques", "ملاحظات قانونية"},
	"label.legal.immigration_status": {"Immigration status", "Situation administrative", "الوضعية الإدارية للإقامة"},
	"label.legal.proceedings":        {"Proceedings", "Procédures", "الإجراءات"},
	"label.service":                  {"Service", "Service", "الخدمة"},
	"label.urgency":                  {"Urgency", "Urgence", "درجة الاستعجال"},
	"label.candidate":                {"Provider", "Prestataire", "مقدم الخدمة"},
	"label.to":                       {"Decision", "Décision", "القرار"},
	"label.reason":                   {"Reason", "Motif", "السبب"},
	"hint.reason":                    {"The reasons are written into the letter to the person, in their language.", "Les motifs figurent dans le courrier à la personne, dans sa langue.", "تُدرج الأسباب في الرسالة الموجهة إلى الشخص بلغته."},
	"label.note":                     {"Add a note", "Ajouter une note", "إضافة ملاحظة"},

	"section.identity":  {"Identity", "Identité", "الهوية"},
	"section.narrative": {"Account", "Récit", "الرواية"},
	"section.health":    {"Health", "Santé", "الصحة"},
	"section.legal":     {"Legal", "Juridique", "الوضع القانوني"},

	"case.title":                 {"Case", "Dossier", "الملف"},
	"case.child":                 {"child", "enfant", "طفل"},
	"case.tracks":                {"Where the case stands", "Où en est le dossier", "أين وصل الملف"},
	"case.decision":              {"Decision", "Décision", "القرار"},
	"case.rgdue":                 {"Reasonable-grounds decision due", "Décision sur motifs raisonnables attendue le", "موعد قرار الأسباب المعقولة"},
	"case.reflection":            {"Recovery and reflection period ends", "Fin du délai de rétablissement et de réflexion", "نهاية فترة التعافي والتفكير"},
	"case.proposal":              {"Proposal", "Proposition", "مقترح"},
	"case.support":               {"Support", "Accompagnement", "الدعم"},
	"case.childprotection":       {"Treated as a child: a child-protection referral is required and a guardian must be appointed.", "Traité comme un enfant : une orientation vers la protection de l'enfance est obligatoire et un tuteur doit être désigné.", "يُعامل كطفل: الإحالة إلى حماية الطفولة إلزامية ويجب تعيين وصي."},
	"case.childprotection.refer": {"Refer to child protection now", "Orienter vers la protection de l'enfance", "الإحالة إلى حماية الطفولة الآن"},
	"case.attributes":            {"About the person", "À propos de la personne", "عن الشخص"},
	"case.sections":              {"What you may read", "Ce que vous pouvez lire", "ما يمكنك الاطلاع عليه"},
	"case.nosections":            {"Nothing of the person's account is shared with your organisation.", "Rien du récit de la personne n'est partagé avec votre organisation.", "لم تتم مشاركة أي شيء من رواية الشخص مع منظمتك."},
	"case.withheld":              {"Not shared with you:", "Non partagé avec vous :", "غير مُشارك معك:"},
	"case.referrals":             {"Referrals", "Orientations", "الإحالات"},
	"case.noreferrals":           {"No referral yet.", "Aucune orientation pour l'instant.", "لا توجد إحالة بعد."},
	"case.findproviders":         {"Find providers", "Trouver des prestataires", "البحث عن مقدمي خدمات"},
	"case.submit.title":          {"Submit to the competent authority", "Soumettre à l'autorité compétente", "الإحالة إلى السلطة المختصة"},
	"case.submit.body":           {"The authority then reads what a decision needs and must decide on reasonable grounds within five working days.", "L'autorité lit alors ce qu'exige une décision et doit statuer sur les motifs raisonnables sous cinq jours ouvrables.", "تطّلع السلطة حينها على ما يحتاجه القرار، وعليها البت في الأسباب المعقولة خلال خمسة أيام عمل."},
	"case.submit":                {"Submit", "Soumettre", "إحالة"},
	"case.record":                {"Case record", "Historique du dossier", "سجل الملف"},
	"case.entry.sealed":          {"Not shared with your organisation.", "Non partagé avec votre organisation.", "غير مُشارك مع منظمتك."},
	"case.noentries":             {"Nothing recorded yet.", "Rien d'enregistré pour l'instant.", "لم يُسجَّل شيء بعد."},
	"note.add":                   {"Add note", "Ajouter la note", "إضافة الملاحظة"},
	"note.added":                 {"Note added.", "Note ajoutée.", "تمت إضافة الملاحظة."},
	"note.invalid":               {"The note is empty or too long.", "La note est vide ou trop longue.", "الملاحظة فارغة أو طويلة جدًا."},
	"submit.done":                {"Submitted to the competent authority.", "Soumis à l'autorité compétente.", "تمت الإحالة إلى السلطة المختصة."},
	"submit.refused":             {"Not submitted: the person's consent or the case's state does not allow it.", "Non soumis : le consentement de la personne ou l'état du dossier ne le permet pas.", "لم تتم الإحالة: موافقة الشخص أو حالة الملف لا تسمح بذلك."},

	"decision.title":   {"Record a decision", "Enregistrer une décision", "تسجيل قرار"},
	"decision.submit":  {"Record decision", "Enregistrer la décision", "تسجيل القرار"},
	"decision.done":    {"Decision recorded. A negative decision waits for a second decision maker.", "Décision enregistrée. Une décision négative attend un second décideur.", "تم تسجيل القرار. القرار السلبي ينتظر صانع قرار ثانيًا."},
	"decision.invalid": {"Choose a decision and give the reasons.", "Choisissez une décision et indiquez les motifs.", "اختر قرارًا واذكر الأسباب."},
	"decision.refused": {"Not recorded: the case's state does not allow it, or you made the proposal yourself.", "Non enregistrée : l'état du dossier ne le permet pas, ou vous avez vous-même fait la proposition.", "لم يُسجَّل: حالة الملف لا تسمح بذلك، أو أنك صاحب المقترح."},

	"refer.title":   {"Refer to a provider", "Orienter vers un prestataire", "الإحالة إلى مقدم خدمة"},
	"refer.unnamed": {"Provider", "Prestataire", "مقدم خدمة"},
	"refer.shared":  {"The provider sees a summary without the person's name until it accepts; then it reads only what its service needs.", "Le prestataire voit un résumé sans le nom de la personne jusqu'à son acceptation ; il ne lit ensuite que ce dont son service a besoin.", "يرى مقدم الخدمة ملخصًا دون اسم الشخص حتى يقبل؛ ثم لا يقرأ إلا ما تحتاجه خدمته."},
	"refer.submit":  {"Send the referral", "Envoyer l'orientation", "إرسال الإحالة"},
	"refer.none":    {"No provider offers this service for this person now. The national referral desk is told of the unmet need.", "Aucun prestataire n'offre ce service à cette personne pour l'instant. Le guichet national est informé du besoin non couvert.", "لا يوجد حاليًا مقدم خدمة يوفر هذه الخدمة لهذا الشخص. يتم إبلاغ مكتب الإحالة الوطني بالحاجة غير الملباة."},
	"refer.back":    {"Back to the case", "Retour au dossier", "العودة إلى الملف"},
	"refer.choose":  {"Choose a provider", "Choisissez un prestataire", "اختر مقدم خدمة"},
	"refer.done":    {"Referral sent.", "Orientation envoyée.", "تم إرسال الإحالة."},

	"refer.excluded": {"Cannot be chosen:", "Ne peut pas être choisi :", "لا يمكن اختياره:"},
	"places.title":   {"Places per service", "Places par service", "الأماكن حسب الخدمة"},
	"places.intro": {"The places your organisation offers for each service, and how many are taken now by people you support. Officers are offered only providers with a free place for the service, the least busy first; set a service to 0 while you cannot take anyone.",
		"Les places que votre organisation offre pour chaque service, et combien sont prises par les personnes que vous accompagnez. Les agents ne se voient proposer que des prestataires ayant une place libre pour le service, les moins chargés d'abord ; mettez un service à 0 tant que vous ne pouvez accueillir personne.",
		"الأماكن التي تقدمها منظمتك لكل خدمة، وعدد المشغول منها حاليًا بالأشخاص الذين تدعمهم. لا يُعرض على الموظفين إلا مقدمو الخدمات الذين لديهم مكان شاغر في الخدمة، والأقل انشغالًا أولًا؛ اجعلوا الخدمة 0 ما دمتم لا تستطيعون استقبال أحد."},
	"places.service": {"Service", "Service", "الخدمة"},
	"places.used":    {"Taken now", "Prises", "المشغولة حاليًا"},
	"places.places":  {"Places offered", "Places offertes", "الأماكن المتاحة"},
	"places.label":   {"Places offered for %s", "Places offertes pour %s", "الأماكن المتاحة لخدمة %s"},
	"places.save":    {"Save", "Enregistrer", "حفظ"},
	"places.saved":   {"The places are saved.", "Les places sont enregistrées.", "تم حفظ الأماكن."},
	"places.invalid": {"Enter a whole number from 0 to 100,000", "Indiquez un nombre entier de 0 à 100\u202f000", "أدخل عددًا صحيحًا من 0 إلى 100000"},
	"places.notlisted": {"Your organisation is not in the directory of providers yet. Ask the referral desk coordinator to add it; officers cannot refer anyone to you until then.",
		"Votre organisation n'est pas encore dans l'annuaire des prestataires. Demandez au coordinateur du bureau d'orientation de l'ajouter ; d'ici là, aucun agent ne peut vous orienter quelqu'un.",
		"منظمتك ليست بعد في دليل مقدمي الخدمات. اطلب من منسق مكتب الإحالة إضافتها؛ لا يمكن لأي موظف إحالة أحد إليكم قبل ذلك."},
	"nav.places":       {"Places", "Places", "الأماكن"},
	"inbox.title":      {"Referrals", "Orientations", "الإحالات"},
	"inbox.offers":     {"Offers waiting for your answer", "Offres en attente de votre réponse", "عروض في انتظار ردك"},
	"inbox.none":       {"No offer is waiting.", "Aucune offre en attente.", "لا توجد عروض في الانتظار."},
	"inbox.caseload":   {"People you support", "Personnes que vous accompagnez", "الأشخاص الذين تدعمهم"},
	"inbox.nocaseload": {"Nobody yet.", "Personne pour l'instant.", "لا أحد بعد."},
	"inbox.opencase":   {"Open the case", "Ouvrir le dossier", "فتح الملف"},
	"inbox.granted":    {"shared with you:", "partagé avec vous :", "مُشارك معك:"},

	"referral.title":        {"Referral", "Orientation", "الإحالة"},
	"referral.status":       {"Status", "Statut", "الحالة"},
	"referral.summary":      {"Person", "Personne", "الشخص"},
	"referral.timeleft":     {"Time left to answer", "Temps restant pour répondre", "الوقت المتبقي للرد"},
	"referral.accept":       {"Accept", "Accepter", "قبول"},
	"referral.decline":      {"Decline", "Refuser", "رفض"},
	"referral.do.arrived":   {"Record arrival", "Enregistrer l'arrivée", "تسجيل الوصول"},
	"referral.do.completed": {"Service completed", "Service terminé", "اكتملت الخدمة"},
	"referral.left.button":  {"The person left", "La personne est partie", "غادر الشخص"},
	"referral.back":         {"Back to referrals", "Retour aux orientations", "العودة إلى الإحالات"},
	"referral.updated":      {"Referral updated.", "Orientation mise à jour.", "تم تحديث الإحالة."},

	"queue.title":   {"Decisions to make", "Décisions à prendre", "قرارات يجب اتخاذها"},
	"queue.state":   {"State", "État", "الحالة"},
	"queue.due":     {"Due", "Échéance", "الموعد"},
	"queue.note":    {"Note", "Remarque", "ملاحظة"},
	"queue.overdue": {"overdue", "en retard", "متأخر"},
	"queue.second":  {"awaiting a second decision maker", "attend un second décideur", "في انتظار صانع قرار ثانٍ"},
	"queue.none":    {"No case is waiting for a decision.", "Aucun dossier n'attend de décision.", "لا يوجد ملف في انتظار قرار."},

	"letters.title": {"Decision letters", "Courriers de décision", "رسائل القرار"},
	"letters.print": {"Print this page to hand the letter over.", "Imprimez cette page pour remettre le courrier.", "اطبع هذه الصفحة لتسليم الرسالة."},
	"letters.none":  {"No letter yet.", "Aucun courrier pour l'instant.", "لا توجد رسالة بعد."},

	"month.1": {"January", "janvier", "يناير"}, "month.2": {"February", "février", "فبراير"},
	"month.3": {"March", "mars", "مارس"}, "month.4": {"April", "avril", "أبريل"},
	"month.5": {"May", "mai", "ماي"}, "month.6": {"June", "juin", "يونيو"},
	"month.7": {"July", "juillet", "يوليوز"}, "month.8": {"August", "août", "غشت"},
	"month.9": {"September", "septembre", "شتنبر"}, "month.10": {"October", "octobre", "أكتوبر"},
	"month.11": {"November", "novembre", "نونبر"}, "month.12": {"December", "décembre", "دجنبر"},
}

// pluralMessages take a count as their first argument.
var pluralMessages = mergePlural(pagePlurals, frontlinePlurals)

var pagePlurals = map[string]pmsg{
	"cases.caption": {
		en: [2]string{"%d case", "%d cases"}, fr: [2]string{"%d dossier", "%d dossiers"},
		ar: [6]string{"لا ملفات", "ملف واحد", "ملفان", "%d ملفات", "%d ملفًا", "%d ملف"},
	},
	"queue.caption": {
		en: [2]string{"%d case awaiting a decision", "%d cases awaiting a decision"},
		fr: [2]string{"%d dossier en attente de décision", "%d dossiers en attente de décision"},
		ar: [6]string{"لا ملفات في انتظار قرار", "ملف واحد في انتظار قرار", "ملفان في انتظار قرار", "%d ملفات في انتظار قرار", "%d ملفًا في انتظار قرار", "%d ملف في انتظار قرار"},
	},
	"case.letters": {
		en: [2]string{"%d decision letter", "%d decision letters"}, fr: [2]string{"%d courrier de décision", "%d courriers de décision"},
		ar: [6]string{"لا رسائل قرار", "رسالة قرار واحدة", "رسالتا قرار", "%d رسائل قرار", "%d رسالة قرار", "%d رسالة قرار"},
	},
	"inbox.left": {
		en: [2]string{"%d minute left", "%d minutes left"}, fr: [2]string{"%d minute restante", "%d minutes restantes"},
		ar: [6]string{"لم يبق وقت", "بقيت دقيقة واحدة", "بقيت دقيقتان", "بقيت %d دقائق", "بقيت %d دقيقة", "بقيت %d دقيقة"},
	},
	"inbox.group": {
		en: [2]string{"group of %d", "group of %d"}, fr: [2]string{"groupe de %d", "groupe de %d"},
		ar: [6]string{"مجموعة من %d", "مجموعة من %d", "مجموعة من %d", "مجموعة من %d", "مجموعة من %d", "مجموعة من %d"},
	},
}
