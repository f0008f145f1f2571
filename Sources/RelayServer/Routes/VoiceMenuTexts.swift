import RelayModel

/// What the voice menu says, in English and Spanish. Spoken by the provider's text-to-speech;
/// nothing is recorded or transcribed.
enum VoiceMenuTexts {
    struct Spoken {
        let menu: String
        let otherLanguage: String
        let notAnOption: String
        let connecting: String
        let textChosen: String
        let voice: String
    }

    static func spoken(_ language: ConversationLanguage) -> Spoken {
        switch language {
        case .en:
            Spoken(
                menu: "Thank you for calling. To talk with someone now, press 1. To get a text message from us instead, press 2.",
                otherLanguage: "Para español, oprima 9.",
                notAnOption: "Sorry, that is not one of the choices.",
                connecting: "Please hold while we connect you.",
                textChosen: "Thank you. If we can, we will send you a text message in a moment. To talk with someone now, stay on the line.",
                voice: "en-US")
        case .es:
            Spoken(
                menu: "Gracias por llamar. Para hablar con alguien ahora, oprima 1. Para recibir un mensaje de texto, oprima 2.",
                otherLanguage: "For English, press 8.",
                notAnOption: "Lo sentimos, esa no es una de las opciones.",
                connecting: "Por favor, espere mientras le comunicamos.",
                textChosen: "Gracias. Si es posible, le enviaremos un mensaje de texto en un momento. Para hablar con alguien ahora, permanezca en la línea.",
                voice: "es-US")
        }
    }
}
