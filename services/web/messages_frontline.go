package web

// frontlineMessages are the messages of the guardian's pages, the person's
// rights (access report and copy of the file) and the waits of a refusal
// for going too fast.
var frontlineMessages = map[string]msg{
	"referral.awaiting_approval": {"waiting for a second person's approval", "en attente de l'approbation d'une seconde personne", "في انتظار موافقة شخص ثانٍ"},
}

// frontlinePlurals are their messages with plural forms.
var frontlinePlurals = map[string]pmsg{
	"error.busy.seconds": {
		en: [2]string{"Too many attempts in a short time. Try again in %d second.", "Too many attempts in a short time. Try again in %d seconds."},
		fr: [2]string{"Trop de tentatives en peu de temps. Réessayez dans %d seconde.", "Trop de tentatives en peu de temps. Réessayez dans %d secondes."},
		ar: [6]string{"محاولات كثيرة في وقت قصير. أعد المحاولة الآن.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد ثانية واحدة.",
			"محاولات كثيرة في وقت قصير. أعد المحاولة بعد ثانيتين.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d ثوانٍ.",
			"محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d ثانية.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d ثانية."},
	},
	"error.busy.minutes": {
		en: [2]string{"Too many attempts in a short time. Try again in %d minute.", "Too many attempts in a short time. Try again in %d minutes."},
		fr: [2]string{"Trop de tentatives en peu de temps. Réessayez dans %d minute.", "Trop de tentatives en peu de temps. Réessayez dans %d minutes."},
		ar: [6]string{"محاولات كثيرة في وقت قصير. أعد المحاولة الآن.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد دقيقة واحدة.",
			"محاولات كثيرة في وقت قصير. أعد المحاولة بعد دقيقتين.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d دقائق.",
			"محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d دقيقة.", "محاولات كثيرة في وقت قصير. أعد المحاولة بعد %d دقيقة."},
	},
}
