# ruff: noqa: E501 - sentences are data, one a line
"""Short texts for measuring language detection: news-style sentences written for this benchmark (invented
events, our own wording), ten languages, twelve each. `samples()` cuts them into forwarded-post lengths.

The Cyrillic languages are the point: Russian, Ukrainian, Belarusian, Bulgarian and Serbian share most
letters, and a short post may hold none of the letters that tell them apart.
"""

from __future__ import annotations

import random

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The port authority said the new ferry line will start running between the two islands in May.",
        "Officials confirmed that the bridge will stay closed to heavy trucks until the repairs are finished.",
        "A spokesman for the ministry declined to comment on the reports of a second round of talks.",
        "Farmers blocked the highway for three hours to protest against the lower grain prices this season.",
        "The central bank kept its key rate unchanged, citing slower inflation and weak demand for credit.",
        "Rescue teams pulled twelve people from the flooded village overnight, the regional governor said.",
        "The delegation arrived in the capital on Tuesday and is expected to meet the prime minister.",
        "Prices for heating oil rose by a tenth last month after the cold spell in the north.",
        "The court postponed the hearing because the defence asked for more time to study the documents.",
        "Our correspondent reports that queues at the border crossing have grown since the weekend.",
        "The city council voted to rename the main square after the poet who was born there.",
        "Talks on the prisoner exchange will continue next week, according to both sides.",
    ],
    "ru": [
        "Власти порта сообщили, что новая паромная линия между островами заработает в мае.",
        "Мост останется закрытым для грузовиков до окончания ремонта, подтвердили в администрации.",
        "Представитель министерства отказался комментировать сообщения о втором раунде переговоров.",
        "Фермеры на три часа перекрыли трассу в знак протеста против низких цен на зерно.",
        "Центральный банк сохранил ключевую ставку, сославшись на замедление инфляции.",
        "Спасатели за ночь эвакуировали двенадцать человек из затопленного посёлка, заявил губернатор.",
        "Делегация прибыла в столицу во вторник и встретится с премьер-министром.",
        "Цены на печное топливо выросли на десятую часть после похолодания на севере.",
        "Суд отложил заседание, так как защита попросила больше времени на изучение документов.",
        "Наш корреспондент сообщает, что очереди на пограничном переходе выросли с выходных.",
        "Городской совет проголосовал за переименование главной площади в честь поэта.",
        "Переговоры об обмене пленными продолжатся на следующей неделе, говорят обе стороны.",
    ],
    "uk": [
        "Адміністрація порту повідомила, що нова поромна лінія між островами запрацює в травні.",
        "Міст залишиться закритим для вантажівок до завершення ремонту, підтвердили в міськраді.",
        "Речник міністерства відмовився коментувати повідомлення про другий раунд переговорів.",
        "Фермери на три години перекрили трасу на знак протесту проти низьких цін на зерно.",
        "Національний банк зберіг облікову ставку, пославшись на сповільнення інфляції.",
        "Рятувальники за ніч евакуювали дванадцять людей із затопленого села, заявив голова області.",
        "Делегація прибула до столиці у вівторок і зустрінеться з прем'єр-міністром.",
        "Ціни на пічне паливо зросли на десяту частину після похолодання на півночі.",
        "Суд відклав засідання, бо захист попросив більше часу на вивчення документів.",
        "Наш кореспондент повідомляє, що черги на пункті пропуску зросли з вихідних.",
        "Міська рада проголосувала за перейменування головної площі на честь поета.",
        "Перемовини про обмін полоненими триватимуть наступного тижня, кажуть обидві сторони.",
    ],
    "be": [
        "Адміністрацыя порта паведаміла, што новая паромная лінія паміж астравамі запрацуе ў траўні.",
        "Мост застанецца закрытым для грузавікоў да заканчэння рамонту, пацвердзілі ў гарвыканкаме.",
        "Прадстаўнік міністэрства адмовіўся каментаваць паведамленні пра другі раўнд перамоваў.",
        "Фермеры на тры гадзіны перакрылі трасу ў знак пратэсту супраць нізкіх цэн на збожжа.",
        "Нацыянальны банк захаваў стаўку рэфінансавання, спаслаўшыся на запаволенне інфляцыі.",
        "Ратавальнікі за ноч эвакуявалі дванаццаць чалавек з затопленай вёскі, заявіў губернатар.",
        "Дэлегацыя прыбыла ў сталіцу ў аўторак і сустрэнецца з прэм'ер-міністрам.",
        "Цэны на печнае паліва выраслі на дзясятую частку пасля пахаладання на поўначы.",
        "Суд адклаў пасяджэнне, бо абарона папрасіла больш часу на вывучэнне дакументаў.",
        "Наш карэспандэнт паведамляе, што чэргі на памежным пераходзе павялічыліся з выхадных.",
        "Гарадскі савет прагаласаваў за перайменаванне галоўнай плошчы ў гонар паэта.",
        "Перамовы пра абмен палоннымі працягнуцца на наступным тыдні, кажуць абодва бакі.",
    ],
    "bg": [
        "Пристанищните власти съобщиха, че новата фериботна линия между островите тръгва през май.",
        "Мостът ще остане затворен за камиони до края на ремонта, потвърдиха от общината.",
        "Говорител на министерството отказа да коментира съобщенията за втори кръг преговори.",
        "Фермери блокираха магистралата за три часа в знак на протест срещу ниските цени на зърното.",
        "Централната банка запази основния лихвен процент заради по-бавната инфлация.",
        "Спасителите изведоха през нощта дванадесет души от наводненото село, каза областният управител.",
        "Делегацията пристигна в столицата във вторник и ще се срещне с министър-председателя.",
        "Цените на горивото за отопление се повишиха с една десета след застудяването на север.",
        "Съдът отложи заседанието, защото защитата поиска повече време да проучи документите.",
        "Нашият кореспондент съобщава, че опашките на граничния пункт са нараснали от събота.",
        "Общинският съвет гласува да преименува централния площад на името на поета.",
        "Преговорите за размяна на затворници ще продължат следващата седмица, твърдят двете страни.",
    ],
    "sr": [
        "Лучке власти саопштиле су да ће нова трајектна линија између острва почети у мају.",
        "Мост ће остати затворен за камионе до завршетка радова, потврдили су у општини.",
        "Портпарол министарства одбио је да коментарише извештаје о другој рунди преговора.",
        "Пољопривредници су три сата блокирали аутопут у знак протеста због ниских цена жита.",
        "Народна банка задржала је референтну каматну стопу због споријег раста цена.",
        "Спасиоци су током ноћи извукли дванаест људи из поплављеног села, рекао је начелник округа.",
        "Делегација је у уторак стигла у престоницу и састаће се са премијером.",
        "Цене лож-уља порасле су за десетину после захлађења на северу земље.",
        "Суд је одложио рочиште јер је одбрана тражила више времена да проучи списе.",
        "Наш дописник јавља да су се редови на граничном прелазу продужили од викенда.",
        "Градска скупштина гласала је да главни трг добије име по песнику.",
        "Разговори о размени заробљеника биће настављени следеће недеље, кажу обе стране.",
    ],
    "de": [
        "Die Hafenbehörde teilte mit, dass die neue Fährlinie zwischen den Inseln im Mai startet.",
        "Die Brücke bleibt für Lastwagen gesperrt, bis die Reparaturen abgeschlossen sind.",
        "Ein Sprecher des Ministeriums wollte Berichte über eine zweite Verhandlungsrunde nicht kommentieren.",
        "Landwirte blockierten die Autobahn drei Stunden lang aus Protest gegen niedrige Getreidepreise.",
        "Die Zentralbank ließ den Leitzins unverändert und verwies auf die nachlassende Inflation.",
        "Rettungskräfte holten in der Nacht zwölf Menschen aus dem überfluteten Dorf, sagte der Landrat.",
        "Die Delegation traf am Dienstag in der Hauptstadt ein und soll den Regierungschef treffen.",
        "Die Preise für Heizöl stiegen nach dem Kälteeinbruch im Norden um ein Zehntel.",
        "Das Gericht vertagte die Verhandlung, weil die Verteidigung mehr Zeit für die Akten verlangte.",
        "Unser Korrespondent berichtet, dass die Schlangen am Grenzübergang seit dem Wochenende wachsen.",
        "Der Stadtrat stimmte dafür, den Hauptplatz nach dem Dichter zu benennen.",
        "Die Gespräche über den Gefangenenaustausch gehen nächste Woche weiter, sagen beide Seiten.",
    ],
    "fr": [
        "Les autorités portuaires ont annoncé que la nouvelle ligne de ferry entre les îles ouvrira en mai.",
        "Le pont restera fermé aux camions jusqu'à la fin des travaux, a confirmé la mairie.",
        "Un porte-parole du ministère a refusé de commenter les informations sur un second cycle de talks.",
        "Des agriculteurs ont bloqué l'autoroute pendant trois heures pour protester contre les prix du blé.",
        "La banque centrale a maintenu son taux directeur en invoquant le ralentissement de l'inflation.",
        "Les secours ont évacué douze personnes du village inondé pendant la nuit, selon le préfet.",
        "La délégation est arrivée mardi dans la capitale et doit rencontrer le Premier ministre.",
        "Le prix du fioul domestique a augmenté d'un dixième après la vague de froid dans le nord.",
        "Le tribunal a reporté l'audience car la défense a demandé plus de temps pour étudier le dossier.",
        "Notre correspondant rapporte que les files d'attente au poste-frontière s'allongent depuis samedi.",
        "Le conseil municipal a voté pour donner à la place principale le nom du poète.",
        "Les discussions sur l'échange de prisonniers reprendront la semaine prochaine, selon les deux camps.",
    ],
    "es": [
        "La autoridad portuaria anunció que la nueva línea de ferry entre las islas empezará en mayo.",
        "El puente seguirá cerrado a los camiones hasta que terminen las reparaciones, confirmó el ayuntamiento.",
        "Un portavoz del ministerio se negó a comentar los informes sobre una segunda ronda de negociaciones.",
        "Los agricultores cortaron la autopista durante tres horas en protesta por los bajos precios del trigo.",
        "El banco central mantuvo su tipo de interés y citó la moderación de la inflación.",
        "Los equipos de rescate sacaron a doce personas del pueblo inundado durante la noche, dijo el gobernador.",
        "La delegación llegó el martes a la capital y se reunirá con el primer ministro.",
        "El precio del gasóleo para calefacción subió una décima parte tras la ola de frío en el norte.",
        "El tribunal aplazó la vista porque la defensa pidió más tiempo para estudiar los documentos.",
        "Nuestro corresponsal informa de que las colas en el paso fronterizo han crecido desde el fin de semana.",
        "El concejo municipal votó para dar a la plaza mayor el nombre del poeta.",
        "Las conversaciones sobre el canje de prisioneros seguirán la próxima semana, según ambas partes.",
    ],
    "pl": [
        "Władze portu poinformowały, że nowa linia promowa między wyspami ruszy w maju.",
        "Most pozostanie zamknięty dla ciężarówek do czasu zakończenia remontu, potwierdził urząd miasta.",
        "Rzecznik ministerstwa odmówił komentarza w sprawie doniesień o drugiej rundzie rozmów.",
        "Rolnicy na trzy godziny zablokowali autostradę w proteście przeciwko niskim cenom zboża.",
        "Bank centralny utrzymał stopy procentowe, powołując się na spowolnienie inflacji.",
        "Ratownicy w nocy ewakuowali dwanaście osób z zalanej wsi, powiedział wojewoda.",
        "Delegacja przyjechała do stolicy we wtorek i spotka się z premierem.",
        "Ceny oleju opałowego wzrosły o jedną dziesiątą po ochłodzeniu na północy kraju.",
        "Sąd odroczył rozprawę, ponieważ obrona poprosiła o więcej czasu na zapoznanie się z aktami.",
        "Nasz korespondent donosi, że kolejki na przejściu granicznym wydłużyły się od weekendu.",
        "Rada miasta zagłosowała za nadaniem głównemu placowi imienia poety.",
        "Rozmowy o wymianie jeńców będą kontynuowane w przyszłym tygodniu, twierdzą obie strony.",
    ],
}

# Headlines and post openings under 30 characters: too short for the model alone in the Cyrillic languages.
HEADLINES: dict[str, list[str]] = {
    "en": [
        "Ferry line opens in May",
        "Bridge closed to trucks",
        "Rate left unchanged",
        "Talks resume Monday",
        "Gas prices up again",
        "Court delays hearing",
        "Strike over at the port",
        "Grain deal extended",
    ],
    "ru": [
        "Цены на газ",
        "Обмен пленными",
        "Мэр города уволен",
        "Паром пойдёт в мае",
        "Мост закрыт для фур",
        "Ставка не изменилась",
        "Суд отложил слушания",
        "Выборы перенесены",
    ],
    "uk": [
        "Ціни на газ",
        "Обмін полоненими",
        "Мера міста звільнено",
        "Пором піде в травні",
        "Міст закрито для фур",
        "Ставка не змінилася",
        "Суд відклав слухання",
        "Вибори перенесено",
    ],
    "be": [
        "Цэны на газ",
        "Абмен палоннымі",
        "Мэра горада звольнілі",
        "Паром пойдзе ў траўні",
        "Мост зачынены для фур",
        "Стаўка не змянілася",
        "Суд адклаў слуханні",
        "Выбары перанесены",
    ],
    "bg": [
        "Цените на газа",
        "Размяна на пленници",
        "Кметът е уволнен",
        "Фериботът тръгва май",
        "Мостът е затворен",
        "Лихвата остава същата",
        "Съдът отложи делото",
        "Изборите са отложени",
    ],
    "sr": [
        "Цене гаса",
        "Размена заробљеника",
        "Градоначелник смењен",
        "Трајект креће у мају",
        "Мост затворен за камионе",
        "Каматна стопа иста",
        "Суд одложио рочиште",
        "Избори одложени",
    ],
    "de": [
        "Gaspreise steigen",
        "Gefangenenaustausch",
        "Bürgermeister entlassen",
        "Fähre startet im Mai",
        "Brücke für Lkw gesperrt",
        "Leitzins unverändert",
        "Gericht vertagt Prozess",
        "Wahl verschoben",
    ],
    "fr": [
        "Le prix du gaz grimpe",
        "Échange de prisonniers",
        "Le maire limogé",
        "Le ferry part en mai",
        "Pont fermé aux camions",
        "Taux inchangé",
        "Le procès reporté",
        "Élections reportées",
    ],
    "es": [
        "Sube el precio del gas",
        "Canje de prisioneros",
        "Destituido el alcalde",
        "El ferry sale en mayo",
        "Puente cerrado a camiones",
        "Tipos sin cambios",
        "Aplazado el juicio",
        "Elecciones aplazadas",
    ],
    "pl": [
        "Ceny gazu rosną",
        "Wymiana jeńców",
        "Burmistrz odwołany",
        "Prom ruszy w maju",
        "Most zamknięty dla tirów",
        "Stopy bez zmian",
        "Sąd odroczył proces",
        "Wybory przełożone",
    ],
}

BANDS = ((20, 50), (50, 100), (100, 200))


def _cut(text: str, limit: int) -> str:
    """`text` cut at the last word boundary within `limit` characters."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head[: head.rfind(" ")] if " " in head else head


def samples(seed: int = 20) -> list[tuple[str, str, int]]:
    """(language, text, band index): the headlines as band -1, then per language and band, each sentence at
    a length drawn inside the band. The short band takes each sentence twice, from its start and from its
    fourth word (a post's middle has no capitalised opening); the long band runs two sentences together."""
    rng = random.Random(seed)
    out: list[tuple[str, str, int]] = []
    out.extend((lang, text, -1) for lang, texts in HEADLINES.items() for text in texts)
    for lang, sentences in SENTENCES.items():
        for band, (low, high) in enumerate(BANDS):
            for i, sentence in enumerate(sentences):
                texts = [sentence]
                if band == 0:
                    texts.append(sentence.split(" ", 3)[-1])
                if band == 2:
                    texts = [f"{sentence} {sentences[(i + 1) % len(sentences)]}"]
                for text in texts:
                    limit = rng.randint(low + 5, high)
                    cut = _cut(text, limit)
                    while len(cut) < low and limit < len(text):  # fell short of the band: take more words
                        limit += 5
                        cut = _cut(text, limit)
                    out.append((lang, cut, band))
    return out
