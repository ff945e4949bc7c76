"""Write a synthetic but realistic sitegen news site of N articles, deterministic for a seed.

    python benchmarks/corpus.py OUT_DIR --articles N [--seed S] [--force]

German and English articles (about 60/40) with Zipf-distributed words from real word lists,
Zipf-distributed tags from a pool that grows with N, 8 topics, ~30 sources, 1% drafts, dates
over three years (2023-2025) with the zones +01:00, +02:00 and Z. `edit_article` makes the
one-article edits the incremental benchmarks time.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

EditKind = Literal["body", "title", "tag", "date"]
EDIT_KINDS: tuple[EditKind, ...] = ("body", "title", "tag", "date")

# --- word lists ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Each list is ordered roughly by frequency; draws follow a Zipf law over that order.

DE_FUNCTION = _words("""
der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum
war haben nur oder aber vor zur bis mehr durch man sein wurde sei hatte kann gegen vom können
schon wenn habe seine ihre dann unter wir soll ich eines jahr zwei diese dieser wieder keine
seiner worden will zwischen immer was sagte gibt alle diesem seit muss doch jetzt sehr
bereits damit ihr rund etwa sowie derzeit laut weiter allerdings künftig zudem jedoch
""")

EN_FUNCTION = _words("""
the of and to a in that is for on it with as was he by at from his an be has have are
this not but had they which or its were their been also would will more after who one new
about two than first other into said over up can there could out all when last some most
year years only while since so what may our many three them such should between under before
those where both just people against because however during through much still now even
""")

DE_GENERAL = _words("""
Regierung Unternehmen Prozent Millionen Milliarden Euro Entwicklung Markt Jahren Zeit Land
Bundesregierung Deutschland Europa Menschen Woche Angaben Zukunft Frage Ende Anfang Berlin
München Hamburg Brüssel Peking Washington Experten Bericht Studie Daten Zahlen Plan Pläne
Projekt Projekte Kosten Preise Investitionen investiert investieren Kritik Kritiker Ziel Ziele
Folgen Gesetz Gesetze Entscheidung entschieden Mitarbeiter Beschäftigte Kunden Nutzer Behörde
Behörden Ministerium Minister Ministerin Chef Chefin Konzern Konzerne Branche Wachstum
wachsen wächst Rückgang gesunken gestiegen steigen Umsatz Gewinn Verluste Strategie Sprecher
Sprecherin erklärte betonte kündigte berichtete warnte forderte plant geplant neue neuen
großen wichtigsten ersten deutschen europäischen internationalen öffentlichen digitalen
schnell deutlich möglich wichtig offenbar bislang zunächst erneut Ergebnis Ergebnisse Lage
Situation Antwort Unterstützung Zusammenarbeit Wettbewerb Verhandlungen Vertrag Einigung
Sicherheit Schutz Risiko Risiken Herausforderung Chance Chancen Region Städte Stadt Dorf
Bürger Bürgerinnen Gemeinde Bundesländer Bayern Sachsen Wien Zürich Paris London
""")

EN_GENERAL = _words("""
government company percent million billion dollars euros development market time country
Germany Europe people week report study data figures plan plans project projects cost costs
prices investment invested investing criticism critics goal goals law laws decision decided
employees workers customers users agency agencies ministry minister chief executive companies
industry growth growing grew decline fell rose rising revenue profit losses strategy
spokesperson said told announced reported warned called planned plans largest biggest major
public digital national international federal quickly significantly possible important
apparently previously initially again result results situation response support cooperation
competition negotiations contract agreement security protection risk risks challenge
opportunity region cities city village citizens residents officials analysts experts Berlin
Brussels Beijing Washington London Paris Munich Tokyo
""")

TOPIC_WORDS: dict[str, tuple[str, str]] = {
    "technologie": (
        """Künstliche Intelligenz KI-Modell KI-Modelle Sprachmodell Chip Chips Halbleiter Software
        Rechenzentrum Rechenzentren Cloud Plattform Plattformen Algorithmus Algorithmen Daten
        Datenschutz Smartphone Netzwerk Internet Entwickler Start-up Start-ups Open-Source
        Quellcode Server Rechenleistung Prozessoren Nvidia OpenAI Google Microsoft Apple Siemens
        SAP Roboter Automatisierung Cyberangriff Hacker Sicherheitslücke trainiert Training""",
        """artificial intelligence model models language chip chips semiconductors software data
        center centers cloud platform platforms algorithm algorithms privacy smartphone network
        internet developers startup startups open-source code servers computing processors
        Nvidia OpenAI Google Microsoft Apple robots automation cyberattack hackers vulnerability
        trained training benchmark inference""",
    ),
    "wirtschaft": (
        """Wirtschaft Konjunktur Inflation Zinsen Zentralbank EZB Börse Aktie Aktien Anleger
        Dax Exporte Importe Handel Zölle Industrie Mittelstand Insolvenz Arbeitsmarkt
        Arbeitslosigkeit Fachkräfte Löhne Tarif Gewerkschaft Streik Autoindustrie Volkswagen
        BMW Mercedes Bahn Lieferketten Rezession Haushalt Schulden Steuern Subventionen Bilanz
        Quartal Prognose Nachfrage Angebot""",
        """economy inflation interest rates central bank stock shares investors exports imports
        trade tariffs industry manufacturing insolvency labour market unemployment wages union
        strike carmakers Volkswagen supply chains recession budget debt taxes subsidies quarter
        forecast demand supply earnings outlook""",
    ),
    "politik": (
        """Politik Bundestag Kanzler Kanzlerin Koalition Opposition Partei Parteien Wahl Wahlen
        Wahlkampf Abgeordnete Union SPD Grüne FDP Landtag Regierungschef Präsident Präsidentin
        Gipfel Nato EU Ukraine Russland China USA Diplomatie Sanktionen Außenministerin
        Verteidigung Bundeswehr Migration Asyl Grenze Reform Reformen Abstimmung Mehrheit
        Verfassung Gericht Urteil""",
        """politics parliament chancellor coalition opposition party parties election elections
        campaign lawmakers president summit NATO Ukraine Russia China diplomacy sanctions foreign
        defence military migration asylum border reform reforms vote majority constitution
        court ruling senate congress""",
    ),
    "klima": (
        """Klima Klimawandel Klimaschutz Emissionen CO2 Erderwärmung Hitze Dürre Hochwasser
        Unwetter Energie Energiewende Strom Solar Solaranlagen Windkraft Windräder Wärmepumpe
        Wärmepumpen Heizung Kohle Kohleausstieg Gas Wasserstoff Netz Netze Speicher Batterien
        Elektroautos Verkehr Wald Artenschutz Gletscher Temperaturen Meeresspiegel""",
        """climate warming emissions carbon heat drought floods storms energy transition power
        electricity solar wind turbines heat pumps heating coal gas hydrogen grid storage
        batteries electric vehicles transport forest biodiversity glaciers temperatures sea
        level renewables""",
    ),
    "wissenschaft": (
        """Wissenschaft Forschung Forscher Forscherinnen Universität Hochschule Institut Studie
        Experiment Labor Physik Chemie Biologie Astronomie Raumfahrt Satellit Rakete Mond Mars
        Teleskop Quanten Quantencomputer Genom Zellen Evolution Fossilien Entdeckung entdeckt
        Messungen Modell Theorie Nobelpreis""",
        """science research researchers university institute study experiment laboratory physics
        chemistry biology astronomy space satellite rocket moon Mars telescope quantum computer
        genome cells evolution fossils discovery discovered measurements theory Nobel""",
    ),
    "gesundheit": (
        """Gesundheit Krankenhaus Kliniken Ärzte Ärztinnen Pflege Pflegekräfte Patienten
        Patientinnen Krankenkasse Medikament Medikamente Impfstoff Impfung Virus Viren Pandemie
        Infektionen Krebs Therapie Behandlung Diagnose Prävention Ernährung Sport Psyche
        Depression Gesundheitsminister Versorgung Apotheken""",
        """health hospital hospitals doctors nurses care patients insurance drug drugs vaccine
        vaccination virus viruses pandemic infections cancer therapy treatment diagnosis
        prevention nutrition mental depression healthcare pharmacies clinical trial""",
    ),
    "kultur": (
        """Kultur Film Filme Kino Festival Berlinale Musik Konzert Album Band Theater Oper Museum
        Ausstellung Kunst Künstler Künstlerin Roman Buch Bücher Autorin Literatur Preis Serie
        Streaming Netflix Publikum Bühne Premiere""",
        """culture film films cinema festival music concert album band theatre opera museum
        exhibition art artist novel book books author literature prize series streaming
        audience stage premiere""",
    ),
    "sport": (
        """Sport Fußball Bundesliga Bayern Dortmund Trainer Spieler Spielerin Mannschaft Tor Tore
        Sieg Niederlage Meisterschaft Weltmeisterschaft Olympia Olympische Spiele Medaille
        Rekord Saison Transfer Verein Stadion Finale Tennis Formel Handball""",
        """sport football league coach player players team goal goals win defeat championship
        World Cup Olympics medal record season transfer club stadium final tennis Formula""",
    ),
}

TOPICS: dict[str, tuple[str, str]] = {
    "technologie": ("Technologie", "KI, Chips, Software und das Netz"),
    "wirtschaft": ("Wirtschaft", "Märkte, Unternehmen und Arbeit"),
    "politik": ("Politik", "Deutschland, Europa und die Welt"),
    "klima": ("Klima", "Klimawandel, Energie und Umwelt"),
    "wissenschaft": ("Wissenschaft", "Forschung und Entdeckungen"),
    "gesundheit": ("Gesundheit", "Medizin, Pflege und Vorsorge"),
    "kultur": ("Kultur", "Film, Musik, Bücher und Bühne"),
    "sport": ("Sport", "Fußball, Olympia und mehr"),
}
TOPIC_WEIGHTS = (0.22, 0.17, 0.20, 0.12, 0.10, 0.08, 0.06, 0.05)

# Real tag names, most common first; the pool is cut from the front and, past its end,
# extended with synthetic tail names.
TAG_NAMES = """
KI|China|USA|Ukraine|Russland|Bundesregierung|Klimawandel|Energiewende|Inflation|EU|Nvidia|
OpenAI|Chips|Bundestag|Elektroautos|Datenschutz|Cybersicherheit|Start-ups|Börse|Arbeitsmarkt|
Wärmepumpen|Bahn|Nato|Migration|Forschung|Krankenhäuser|Streaming|Bundesliga|Raumfahrt|
Wasserstoff|Solarenergie|Windkraft|Google|Microsoft|Apple|Amazon|Meta|Tesla|Volkswagen|Siemens|
SAP|Deutsche Bank|EZB|Zinsen|Steuern|Haushalt|Rente|Bürgergeld|Wohnungsbau|Mieten|Bayern|
Berlin|München|Hamburg|Sachsen|Nordrhein-Westfalen|Baden-Württemberg|Frankreich|Großbritannien|
Israel|Gaza|Iran|Indien|Japan|Taiwan|Türkei|Polen|Österreich|Schweiz|Brüssel|Washington|Peking|
Trump|Sprachmodelle|DeepSeek|Halbleiter|Rechenzentren|Cloud|Open Source|Quantencomputer|
Robotik|Automatisierung|Hackerangriff|Ransomware|Smartphones|5G|Glasfaser|Digitalisierung|
Verwaltung|Schule|Hochschulen|Fachkräfte|Gewerkschaften|Streik|Lieferketten|Zölle|Exporte|
Autoindustrie|Chemieindustrie|Stahl|Mittelstand|Insolvenzen|Immobilien|Banken|Versicherungen|
Kryptowährungen|Bitcoin|Gesundheitspolitik|Pflege|Impfstoffe|Krebsforschung|Corona|
Medikamente|Ernährung|Psychische Gesundheit|Hitze|Dürre|Hochwasser|Waldbrände|Artenschutz|
Landwirtschaft|Kohleausstieg|Gasversorgung|Stromnetz|Batterien|Verkehrswende|Flugverkehr|
Deutschlandticket|Autobahn|Justiz|Bundesverfassungsgericht|Polizei|Extremismus|Wahlen|
Landtagswahl|Europawahl|Koalition|Opposition|SPD|CDU|Grüne|FDP|AfD|Linke|Diplomatie|
Sanktionen|Verteidigung|Bundeswehr|Rüstung|Asyl|Grenzkontrollen|Menschenrechte|Vereinte Nationen|
G7|G20|Afrika|Südamerika|Brasilien|Kanada|Australien|Südkorea|Nordkorea|Mars|Mond|ESA|NASA|
Teleskope|Physik|Biologie|Genetik|Archäologie|Nobelpreis|Film|Berlinale|Musik|Literatur|
Theater|Museen|Kunst|Games|Netflix|Fußball|Olympia|Tennis|Formel 1|Handball|Doping|
Sportpolitik|Social Media|TikTok|X|Desinformation|Medien|Pressefreiheit|Urheberrecht|
Plattformregulierung|Digital Services Act|AI Act|Kartellrecht|Wettbewerb|Verbraucherschutz|
Lebensmittel|Tourismus|Gastronomie|Handel|Onlinehandel|Logistik|Post|Telekom|Satelliten|
Starlink|Drohnen|Weltraumschrott|Ozeane|Plastik|Recycling|Wasser|Gletscher|Alpen|Nordsee|Ostsee|
Rhein|Wohnen|Familie|Bildung|Kinder|Jugend|Senioren|Gleichstellung|Integration|Religion|Kirche
""".replace("\n", "").split("|")

SOURCES: tuple[tuple[str, str], ...] = (
    ("IT BOLTWISE", "https://www.it-boltwise.example/"),
    ("Tagesbote", "https://tagesbote.example/"),
    ("Rheinische Rundschau", "https://rundschau.example/"),
    ("Nordkurier Online", "https://nordkurier.example/"),
    ("Süddeutsche Allgemeine", "https://sz-allgemeine.example/"),
    ("Berliner Morgenpost Digital", "https://bmp.example/"),
    ("Handelsblatt Express", "https://hb-express.example/"),
    ("Wirtschaftswoche Kompakt", "https://wiwo-kompakt.example/"),
    ("heise-ähnlich", "https://heiseish.example/"),
    ("Golem Report", "https://golem-report.example/"),
    ("Spektrum Aktuell", "https://spektrum-aktuell.example/"),
    ("Ärzteblatt Heute", "https://aerzteblatt-heute.example/"),
    ("Kulturradio Online", "https://kulturradio.example/"),
    ("Sportschau Digital", "https://sportschau-digital.example/"),
    ("Klimareporter", "https://klimareporter.example/"),
    ("Energie & Management", "https://energie-management.example/"),
    ("Deutsche Presse-Dienst", "https://dpd-news.example/"),
    ("Agence Europe Presse", "https://aep.example/"),
    ("The Daily Ledger", "https://dailyledger.example/"),
    ("Global Tech Wire", "https://globaltechwire.example/"),
    ("Financial Courier", "https://fincourier.example/"),
    ("The Continental Review", "https://continental-review.example/"),
    ("Science Now Weekly", "https://sciencenow.example/"),
    ("Health Policy Watch", "https://healthpolicy.example/"),
    ("Climate Desk", "https://climatedesk.example/"),
    ("Bavarian Business Review", "https://bbr.example/"),
    ("Euro Politics Brief", "https://europolitics.example/"),
    ("Screen & Stage", "https://screenstage.example/"),
    ("The Sports Column", "https://sportscolumn.example/"),
    ("Pacific Trade Journal", "https://pacifictrade.example/"),
)

AUTHORS_DE = """Anna Schneider|Jonas Weber|Leonie Fischer|Felix Wagner|Marie Becker|Lukas Hoffmann|
Sophie Schulz|Maximilian Koch|Lena Richter|Paul Klein|Hannah Wolf|Tim Schröder|Laura Neumann|
Jan Schwarz|Julia Zimmermann|David Braun|Katharina Krüger|Niklas Hofmann|Sarah Hartmann|
Moritz Lange|Clara Schmitt|Simon Werner|Johanna Krause|Tobias Meier|Eva Lehmann|Stefan Müller|
Miriam Özdemir|Yusuf Aydın|Elif Kaya|Frank Brückner""".replace("\n", "").split("|")

AUTHORS_EN = """Sarah Whitfield|James Carter|Emily Johnson|Michael Brown|Olivia Davies|Daniel Evans|
Grace Thompson|Thomas Wright|Chloe Robinson|Samuel Walker|Priya Sharma|Wei Zhang|Hiroshi Tanaka|
Amelia Clarke|Benjamin Hughes|Charlotte Green|Lucas Martin|Isabel García|Noah Wilson|
Ava Patel""".replace("\n", "").split("|")

DATELINES = """BERLIN|MÜNCHEN|HAMBURG|FRANKFURT|KÖLN|BRÜSSEL|PEKING|WASHINGTON|LONDON|PARIS|
WIEN|ZÜRICH|TOKIO|NEW YORK|SAN FRANCISCO|MOSKAU|KIEW|GENF|STRASSBURG|STUTTGART|
PEKING / MÜNCHEN|BERLIN / BRÜSSEL""".replace("\n", "").split("|")

START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 3 * 365
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 8, 8, 8, 8, 7, 7, 6, 5, 4, 3, 2)


# --- slug rule (same as sitegen's: transliterate, lower-case, hyphens) ----------------------

_TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ı": "i",
    }
)


def slugify(text: str) -> str:
    """Transliterate (ä -> ae, ß -> ss), strip accents, lower-case, join words with '-'."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --- sampling --------------------------------------------------------------------------------


class Zipf:
    """Draws items with probability proportional to 1 / (rank + q) ** s."""

    def __init__(self, items: Sequence[str], s: float = 1.0, q: float = 1.0) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / (r + q) ** s for r in range(1, len(items) + 1)))

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def distinct(self, rng: random.Random, k: int) -> list[str]:
        k = min(k, len(self.items))
        out: list[str] = []
        total = self.cum[-1]
        while len(out) < k:
            item = self.items[bisect.bisect_right(self.cum, rng.random() * total)]
            if item not in out:
                out.append(item)
        return out


def tag_pool(articles: int) -> list[str]:
    """About 200 tags at 10,000 articles, growing with the square root of N."""
    size = max(20, round(200 * math.sqrt(articles / 10_000)))
    pool = TAG_NAMES[:size]
    cities = ["Aachen", "Bremen", "Dresden", "Essen", "Kiel", "Leipzig", "Mainz", "Rostock"]
    nouns = ["Hafen", "Klinik", "Projekt", "Museum", "Bahnhof", "Brücke", "Messe", "Werk"]
    for n in itertools.count(1):
        if len(pool) >= size:
            break
        pool.append(f"{nouns[n % len(nouns)]} {cities[(n // len(nouns)) % len(cities)]} {n}")
    return pool


@dataclass
class Vocabulary:
    function: Zipf
    general: Zipf
    topic: dict[str, Zipf]


def _vocabularies() -> dict[str, Vocabulary]:
    out: dict[str, Vocabulary] = {}
    for i, (lang, func, gen) in enumerate(
        (("de", DE_FUNCTION, DE_GENERAL), ("en", EN_FUNCTION, EN_GENERAL))
    ):
        topics = {t: Zipf(words[i].split(), s=0.9) for t, words in TOPIC_WORDS.items()}
        out[lang] = Vocabulary(Zipf(func, s=1.1), Zipf(gen, s=0.9), topics)
    return out


# --- text ------------------------------------------------------------------------------------


class Writer:
    """Makes titles and bodies for one language from its vocabulary."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, topics: list[str]) -> None:
        self.rng = rng
        self.vocab = vocab
        self.topics = [vocab.topic[t] for t in topics]

    def words(self, n: int, content: float = 0.55) -> list[str]:
        rng = self.rng
        n_content = sum(1 for _ in range(n) if rng.random() < content)
        n_topic = n_content // 2
        picks = (
            self.vocab.function.draw(rng, n - n_content)
            + self.vocab.general.draw(rng, n_content - n_topic)
            + rng.choice(self.topics).draw(rng, n_topic)
        )
        rng.shuffle(picks)
        return picks

    def sentence(self, n: int) -> str:
        words = self.words(n)
        if n > 9 and self.rng.random() < 0.5:
            cut = self.rng.randrange(3, n - 3)
            words[cut] += ","
        if n > 1 and self.rng.random() < 0.12:
            i = self.rng.randrange(1, n)
            words[i] = f"*{words[i].rstrip(',')}*" + ("," if words[i].endswith(",") else "")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, n_words: int) -> str:
        out: list[str] = []
        left = n_words
        while left > 0:
            n = max(4, round(self.rng.gauss(15, 5)))
            n = left if left - n < 4 else n
            out.append(self.sentence(n))
            left -= n
        text = " ".join(out)
        if self.rng.random() < 0.15:
            text = self._link(text)
        return text

    def _link(self, text: str) -> str:
        words = text.split(" ")
        i = self.rng.randrange(max(1, len(words) - 2))
        anchor = " ".join(w.strip(",.*") for w in words[i : i + 2])
        if not anchor.strip():
            return text
        url = f"https://example.org/{slugify(anchor) or 'link'}"
        words[i : i + 2] = [f"[{anchor}]({url})" + ("." if words[i + 1].endswith(".") else "")]
        return " ".join(words)

    def title(self, subject: str) -> str:
        """5-12 words led by a content word; some open with a subject and a colon ("KI: ...")."""
        n = self.rng.randint(5, 12)
        lead = self.rng.choice(self.topics).draw(self.rng)[0]
        if self.rng.random() < 0.15:
            rest = self.words(max(1, n - 1 - len(subject.split())), content=0.7)
            return f"{subject}: {lead[0].upper()}{lead[1:]} {' '.join(rest)}"
        return f"{lead[0].upper()}{lead[1:]} {' '.join(self.words(n - 1, content=0.7))}"

    def body(self, n_words: int) -> str:
        """Paragraphs plus some headings, lists and quotes: n_words tokens in all."""
        rng = self.rng
        n_par = max(4, min(12, round(n_words / 70 + rng.gauss(0, 1))))
        headings = rng.random() < 0.45
        extras: list[list[str]] = []
        for i in range(n_par):
            before: list[str] = []
            if headings and i > 1 and i % 3 == 0:
                heading = " ".join(self.words(rng.randint(2, 5), content=0.8))
                before.append(f"## {heading[0].upper()}{heading[1:]}")
            if i > 0 and rng.random() < 0.06:
                before.append(self._list())
            if i > 0 and rng.random() < 0.05:
                before.append("> " + self.sentence(rng.randint(8, 18)))
            extras.append(before)
        left = n_words - sum(len(b.split()) for before in extras for b in before)
        weights = [max(0.3, rng.gauss(1.0, 0.3)) for _ in range(n_par)]
        sizes = [max(12, round(left * w / sum(weights))) for w in weights]
        sizes[-1] = max(12, sizes[-1] + left - sum(sizes))
        blocks: list[str] = []
        for before, size in zip(extras, sizes, strict=True):
            blocks.extend(before)
            blocks.append(self.paragraph(size))
        return "\n\n".join(blocks) + "\n"

    def _list(self) -> str:
        n = self.rng.randint(3, 5)
        items = [" ".join(self.words(self.rng.randint(3, 8))) for _ in range(n)]
        marker = "-" if self.rng.random() < 0.7 else "1."
        return "\n".join(f"{marker} {item[0].upper()}{item[1:]}" for item in items)


# --- front matter ----------------------------------------------------------------------------

_PLAIN = re.compile(r"^[^\W\d_][\w .\-/&'äöüÄÖÜß]*$")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def yaml_scalar(text: str) -> str:
    """A YAML scalar for text: plain when safe, else a JSON (= YAML double-quoted) string."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def yaml_flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(yaml_scalar(i) for i in items) + "]"


def berlin_offset(moment: datetime) -> timedelta:
    """Europe/Berlin's UTC offset: CEST from the last Sunday of March to that of October."""

    def last_sunday(month: int) -> datetime:
        day = datetime(moment.year, month, 31, 1, tzinfo=UTC)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    summer = last_sunday(3) <= moment < last_sunday(10)
    return timedelta(hours=2 if summer else 1)


def format_date(moment: datetime, zone: str) -> tuple[str, int]:
    """RFC 3339 text in the given zone ('Z' or Berlin's offset) and the local year."""
    if zone == "Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.year
    offset = berlin_offset(moment)
    local = (moment + offset).replace(tzinfo=None)
    hours = int(offset.total_seconds()) // 3600
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"+{hours:02d}:00", local.year


# --- articles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    year: int
    slug: str
    text: str


class CorpusGenerator:
    def __init__(self, articles: int, seed: int) -> None:
        self.n = articles
        self.rng = random.Random(seed)
        self.vocab = _vocabularies()
        self.tags = Zipf(tag_pool(articles), s=1.8, q=6.0)
        self.slugs: set[str] = set()

    def article(self) -> Article:
        rng = self.rng
        lang = "de" if rng.random() < 0.6 else "en"
        topic_names = list(TOPICS)
        k = 1 if rng.random() < 0.7 else 2
        topics: list[str] = []
        while len(topics) < k:
            t = rng.choices(topic_names, weights=TOPIC_WEIGHTS)[0]
            if t not in topics:
                topics.append(t)
        tags = self.tags.distinct(rng, rng.choices((2, 3, 4, 5, 6), weights=(2, 4, 4, 2, 1))[0])
        writer = Writer(rng, self.vocab[lang], topics)
        title, slug = "", ""
        while not slug or slug in self.slugs:
            title = writer.title(tags[0])
            slug = slugify(title)
        self.slugs.add(slug)

        moment = START + timedelta(
            days=rng.randrange(SPAN_DAYS),
            hours=rng.choices(range(24), weights=HOUR_WEIGHTS)[0],
            minutes=rng.choice((0, 0, 15, 30, 45, rng.randrange(60))),
        )
        zone = (
            ("Z" if rng.random() < 0.15 else "B")
            if lang == "de"
            else ("Z" if rng.random() < 0.6 else "B")
        )
        date, year = format_date(moment, zone)
        source, base = rng.choice(SOURCES)

        lines = [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"date: {date}",
            f"tags: {yaml_flow_list(tags)}",
            f"topics: {yaml_flow_list(topics)}",
            f"source: {yaml_scalar(source)}",
            f"source_url: {base}{year}/{moment.month:02d}/{slug[:60].rstrip('-')}",
        ]
        if rng.random() < 0.85:
            author = rng.choice(AUTHORS_DE if lang == "de" else AUTHORS_EN)
            lines.append(f"author: {yaml_scalar(author)}")
        if rng.random() < 0.3:
            lines.append(f"dateline: {yaml_scalar(rng.choice(DATELINES))}")
        lines.append(f"lang: {lang}")
        if rng.random() < 0.01:
            lines.append("draft: true")
        lines.append("---")
        n_words = round(rng.triangular(250, 900, 420))
        text = "\n".join(lines) + "\n\n" + writer.body(n_words)
        return Article(year, slug, text)


def site_yaml() -> str:
    lines = [
        "title: Benchmark News",
        "base_url: https://bench.example.org/",
        "language: de",
        "timezone: Europe/Berlin",
        "paginate: 20",
        "topics:",
    ]
    for slug, (title, description) in TOPICS.items():
        lines.append(f"  {slug}: {{title: {title}, description: {json.dumps(description)}}}")
    return "\n".join(lines) + "\n"


def write_corpus(out_dir: Path, articles: int, seed: int = 1) -> None:
    """Write site.yaml and content/<year>/<slug>.md for `articles` articles."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    gen = CorpusGenerator(articles, seed)
    made_dirs: set[int] = set()
    for _ in range(articles):
        art = gen.article()
        folder = out_dir / "content" / str(art.year)
        if art.year not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(art.year)
        (folder / f"{art.slug}.md").write_text(art.text, encoding="utf-8")


# --- one-article edits -----------------------------------------------------------------------


def _split(text: str) -> tuple[list[str], str]:
    head, sep, body = text[4:].partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise ValueError("no front matter")
    return head.split("\n"), body


def _field(lines: list[str], key: str) -> int:
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            return i
    raise KeyError(key)


def newest_article(site_dir: Path) -> Path:
    """The newest non-draft article: the one a writer most likely edits."""
    best: tuple[datetime, str] | None = None
    for path in (Path(site_dir) / "content").rglob("*.md"):
        with path.open(encoding="utf-8") as fh:
            head = fh.read(1500)
        if "\ndraft: true" in head:
            continue
        match = re.search(r"^date: (\S+)$", head, re.M)
        if match:
            key = (datetime.fromisoformat(match.group(1)), str(path))
            if best is None or key > best:
                best = key
    if best is None:
        raise FileNotFoundError(f"no article under {site_dir}/content")
    return Path(best[1])


def edit_article(site_dir: Path, kind: EditKind, *, path: Path | None = None) -> Path:
    """Make one edit of `kind` to one article (the newest unless `path`); return its path.

    body: append a sentence to the last paragraph; title: append or bump "(Update N)", which
    also changes the slug; tag: replace the last tag with a head tag it lacks; date: +26 hours.
    Each call changes the file again, so repeated edits are real edits.
    """
    target = path or newest_article(Path(site_dir))
    lines, body = _split(target.read_text(encoding="utf-8"))
    if kind == "body":
        n = body.count("Nachtrag") + 1
        body = body.rstrip("\n") + f" Nachtrag {n}: Die Angaben wurden aktualisiert.\n"
    elif kind == "title":
        i = _field(lines, "title")
        title = json.loads(lines[i].split(":", 1)[1])
        match = re.fullmatch(r"(.*) \(Update (\d+)\)", title)
        title = f"{match[1]} (Update {int(match[2]) + 1})" if match else f"{title} (Update 1)"
        lines[i] = f"title: {json.dumps(title, ensure_ascii=False)}"
    elif kind == "tag":
        import yaml  # only the edit needs a parser

        i = _field(lines, "tags")
        tags = [str(t) for t in yaml.safe_load(lines[i].split(":", 1)[1])]
        fresh = next(t for t in TAG_NAMES if t not in tags)
        lines[i] = f"tags: {yaml_flow_list([*tags[:-1], fresh])}"
    elif kind == "date":
        i = _field(lines, "date")
        text = lines[i].split(":", 1)[1].strip()
        moment = datetime.fromisoformat(text) + timedelta(hours=26)
        suffix = "Z" if text.endswith("Z") else text[-6:]
        lines[i] = f"date: {moment.strftime('%Y-%m-%dT%H:%M:%S')}{suffix}"
    else:
        raise ValueError(f"unknown edit kind {kind!r}")
    target.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    return target


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="site folder to write")
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true", help="replace an existing content/")
    args = parser.parse_args(argv)
    content = args.out_dir / "content"
    if content.exists() and any(content.iterdir()):
        if not args.force:
            print(f"error: {content} is not empty (use --force to replace it)", file=sys.stderr)
            return 2
        shutil.rmtree(content)
    write_corpus(args.out_dir, args.articles, args.seed)
    print(f"wrote {args.articles} articles to {content}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
