#!/usr/bin/env python3
# Writes the small synthetic IMDB-style and AG-News-style text fixtures in data/text/ (deterministic: fixed seeds).
"""Regenerate with:  python3 data/text/generate.py   (from the repository root; overwrites aclImdb/ and ag_news_csv/).

The texts are synthetic stand-ins built from templates: sentiment and topic are learnable (most sentences carry
their class's words) but no single token separates the classes (reviews contain contrast and negated sentences,
and news topics share names and everyday words).
"""
import csv
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- IMDB-style reviews

OPENERS = [
    "I watched this film on a rainy Sunday afternoon.",
    "We rented this movie after a friend recommended it.",
    "I saw this at the cinema last week with my sister.",
    "My parents picked this one for our family movie night.",
    "I finally caught this on television late at night.",
    "I went in knowing nothing about this picture.",
    "This was the second film of a double bill at our local theatre.",
    "I had been waiting for this release for months.",
    "A colleague lent me the DVD and insisted I watch it.",
    "I remember the trailer for this one from years ago.",
    "We watched this on a long flight home.",
    "I am not usually a fan of this genre.",
]
WHO = [
    "a retired teacher", "an estranged sister", "a young detective", "a struggling musician", "an old sailor",
    "a small-town doctor", "a group of college students", "a widowed farmer", "a nervous bank clerk",
    "a famous chef", "a runaway teenager", "an ambitious journalist",
]
DOES = [
    "tries to save the family business", "returns home after twenty years", "investigates a strange disappearance",
    "falls in love during a long winter", "plans one last journey across the country",
    "discovers a family secret", "gets caught up in a robbery", "builds a boat in his garden",
    "enters a cooking contest", "moves to a noisy apartment in the city",
]
PLOT = [
    "The story follows {who} who {does}.",
    "It is about {who} who {does}.",
    "The plot centres on {who} who {does}.",
    "We meet {who} who {does}.",
]
ASPECTS = [
    "acting", "script", "direction", "photography", "soundtrack", "pacing", "dialogue", "editing",
    "lead performance", "supporting cast", "ending", "humour", "set design", "story",
]
POS_ADJ = ["superb", "wonderful", "excellent", "brilliant", "moving", "clever", "charming", "gripping",
           "beautiful", "delightful", "powerful", "memorable", "fresh", "touching"]
NEG_ADJ = ["awful", "boring", "dull", "terrible", "weak", "clumsy", "lifeless", "predictable",
           "painful", "forgettable", "confusing", "lazy", "flat", "tedious"]
INTENS = ["", "", "really ", "truly ", "quite ", "simply ", "very ", "rather "]
ASPECT_SENT = [
    "The {aspect} was {int}{adj}.",
    "I thought the {aspect} was {int}{adj}.",
    "The {aspect} is {int}{adj} from start to finish.",
    "Honestly, the {aspect} felt {int}{adj}.",
    "What stood out was the {int}{adj} {aspect}.",
]
POS_SENT = [
    "I loved every minute of it.", "It made me laugh and cry.", "One of the best films I have seen this year.",
    "I would happily watch it again.", "Highly recommended.", "A real gem.", "Do not miss this one.",
    "The cast clearly had fun, and it shows.", "It stayed with me for days.", "A good, honest film.",
    "My whole family enjoyed it.", "It deserves a much bigger audience.",
]
NEG_SENT = [
    "I hated almost every minute of it.", "It made me check my watch every five minutes.",
    "One of the worst films I have seen this year.", "I would never watch it again.", "Not recommended.",
    "A complete waste of time.", "Skip this one.", "The cast looked bored, and it shows.",
    "I forgot about it the moment it ended.", "I nearly fell asleep halfway through.",
    "Even my little brother walked out.", "I want those two hours back.",
]
NEGATED = [  # a negated word of the OTHER polarity, supporting this review's polarity
    "The {aspect} was not {other} at all.",
    "It is never {other}, not even for a moment.",
    "Nobody could call the {aspect} {other}.",
]
CONTRAST = {  # a sentence of the other polarity, then this review's polarity wins
    1: ["The {aspect} was a little {other}, but the rest more than makes up for it.",
        "Some critics found it {other}, yet I was won over.",
        "The first half is a bit {other}, but it gets so much better."],
    0: ["The {aspect} was {other}, but that is the only good thing I can say.",
        "Some critics found it {other}; I really do not see why.",
        "It starts out {other}, and then it falls apart."],
}
CLOSERS = ["{r}/10.", "I give it {r} out of 10.", "My rating: {r}/10."]


def review(rng, label, rating):
    own_adj, other_adj = (POS_ADJ, NEG_ADJ) if label == 1 else (NEG_ADJ, POS_ADJ)
    own_sent = POS_SENT if label == 1 else NEG_SENT
    body = []
    for aspect in rng.sample(ASPECTS, rng.choice([2, 3, 3])):
        body.append(rng.choice(ASPECT_SENT).format(aspect=aspect, int=rng.choice(INTENS), adj=rng.choice(own_adj)))
    if rng.random() < 0.8:
        body.append(rng.choice(own_sent))
    if rng.random() < 0.25:
        body.append(rng.choice(NEGATED).format(aspect=rng.choice(ASPECTS), other=rng.choice(other_adj)))
    if rng.random() < 0.3:
        body.append(rng.choice(CONTRAST[label]).format(aspect=rng.choice(ASPECTS), other=rng.choice(other_adj)))
    rng.shuffle(body)
    parts = []
    if rng.random() < 0.7:
        parts.append(rng.choice(OPENERS))
    if rng.random() < 0.8:
        parts.append(rng.choice(PLOT).format(who=rng.choice(WHO), does=rng.choice(DOES)))
    parts += body
    if rng.random() < 0.4:
        parts.append(rng.choice(CLOSERS).format(r=rating))
    text = ""
    for i, p in enumerate(parts):  # IMDB reviews separate paragraphs with <br /><br />
        text += p if i == 0 else (" <br /><br />" if rng.random() < 0.2 else " ") + p
    return text


def write_imdb(rng, root, split, per_class):
    for label, name in ((0, "neg"), (1, "pos")):
        folder = os.path.join(root, split, name)
        os.makedirs(folder)
        for i in range(per_class):
            rating = rng.choice([7, 8, 8, 9, 10]) if label == 1 else rng.choice([1, 1, 2, 3, 4])
            with open(os.path.join(folder, f"{i}_{rating}.txt"), "w", encoding="utf-8", newline="\n") as f:
                f.write(review(rng, label, rating))


# ---------------------------------------------------------------- AG-News-style articles

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
AGENCY = ["Reuters", "AP", "AFP"]
PLACES = ["Iraq", "Iran", "China", "Russia", "France", "Brazil", "Kenya", "India", "Japan", "Germany", "Egypt", "Mexico"]
WORLD = dict(
    actor=["president", "prime minister", "foreign minister", "rebel leaders", "UN envoy", "opposition leader",
           "peacekeepers", "election officials"],
    verb=["holds talks on", "rejects", "calls for", "warns over", "agrees to", "condemns"],
    event=["ceasefire talks", "border dispute", "election results", "refugee crisis", "peace deal",
           "nuclear programme", "troop withdrawal", "new constitution"],
    tail=["as fighting continued near the capital", "amid protests by thousands of supporters",
          "after a week of diplomatic pressure", "while neighbouring countries closed their borders",
          "despite warnings from the United Nations"],
)
TEAMS = ["Red Sox", "Yankees", "Lakers", "Celtics", "Cubs", "Patriots", "Arsenal", "Chelsea", "Real Madrid",
         "Manchester United"]
ATHLETES = ["Roger Federer", "Tiger Woods", "Michael Phelps", "Thierry Henry", "Serena Williams", "Shaquille O'Neal",
            "Andy Roddick", "David Beckham"]
SPORT = dict(
    verb=[("beat", "beat"), ("edge", "edged"), ("rout", "routed"), ("hold off", "held off"), ("stun", "stunned"),
          ("rally past", "rallied past")],
    event=["World Series", "Champions League", "US Open", "Olympic final", "playoffs", "season opener",
           "league title race"],
    how=["scored twice", "hit a late home run", "threw for three touchdowns", "won in straight sets",
         "sank the winning putt", "came off the bench"],
)
COMPANIES = ["Oracle", "Wal-Mart", "General Motors", "Citigroup", "Boeing", "Exxon", "Delta Air Lines", "Kmart",
             "PeopleSoft", "Sony", "Microsoft"]
BUSINESS = dict(
    # (item, plural?) and (verb for singular, verb for plural, past tense)
    item=[("quarterly profit", False), ("third-quarter earnings", True), ("sales", True), ("revenue", False),
          ("shares", True), ("dividend", False)],
    verb=[("rises", "rise", "rose"), ("falls", "fall", "fell"), ("jumps", "jump", "jumped"),
          ("slips", "slip", "slipped"), ("climbs", "climb", "climbed"), ("drops", "drop", "dropped")],
    tail=["as oil prices hit a record high", "as investors weighed interest rates", "after a takeover bid",
          "as the dollar weakened", "missing Wall Street estimates", "beating analysts' forecasts",
          "on strong consumer demand"],
)
TECH_COS = ["Microsoft", "Google", "IBM", "Apple", "Intel", "NASA", "Sony", "Nokia"]
TECH = dict(
    verb=["unveils", "launches", "delays", "tests", "patches", "shows off"],
    product=["search engine", "operating system", "processor", "music player", "spacecraft", "software update",
             "broadband service", "space probe", "mobile phone", "web browser"],
    tail=["that promises faster downloads for users", "after researchers found a security flaw",
          "aimed at software developers", "that scientists say could change the industry",
          "as the race for online customers heats up", "to study the rings of Saturn"],
    science=["Scientists discover", "Researchers find", "Astronomers spot", "Engineers build"],
    finding=["a new planet orbiting a distant star", "a faster way to store data", "water ice on Mars",
             "a virus that targets mobile phones", "a tiny robot that can climb walls"],
)


CROSS = {  # a sentence with another topic's vocabulary, as real news items often have (keeps the task from being trivial)
    1: ["Oil prices rose {n} percent on the news.", "Shares in airlines fell as investors weighed the risk.",
        "The talks were broadcast live on the internet.", "Officials cancelled a football match in the capital."],
    2: ["The club's shares rose {n} percent on Wall Street.", "The match was delayed by protests outside the stadium.",
        "Fans followed the game on a new mobile phone service.", "The president congratulated the team on {day}."],
    3: ["The company also unveiled a new web browser.", "Analysts blamed the war and the election for the slowdown.",
        "The firm sponsors the league title race.", "Its researchers filed {n} patents for new software."],
    4: ["Shares of the company rose {n} percent.", "The launch was delayed by the election in {place}.",
        "Profit from the new service is expected next year.", "The team behind it won the league title race at school."],
}


def article(rng, topic):
    agency = rng.choice(AGENCY)
    day = rng.choice(DAYS)
    if topic == 1:  # World
        place, other = rng.sample(PLACES, 2)
        actor, verb, event = rng.choice(WORLD["actor"]), rng.choice(WORLD["verb"]), rng.choice(WORLD["event"])
        title = f"{place} {actor} {verb} {event}"
        desc = f"{agency} - {place}'s {actor} {verb} the {event} on {day}, officials said, {rng.choice(WORLD['tail'])}."
        if rng.random() < 0.3:
            desc += f' A spokesman for {other} called it "a step forward, but only a first step."'
    elif topic == 2:  # Sports
        team, rival = rng.sample(TEAMS, 2)
        (verb, past), event = rng.choice(SPORT["verb"]), rng.choice(SPORT["event"])
        a = rng.randint(2, 9)
        b = rng.randint(0, a - 1)
        title = f"{team} {verb} {rival} {a}-{b}"
        desc = (f"{agency} - {rng.choice(ATHLETES)} {rng.choice(SPORT['how'])} as {team} {past} {rival} "
                f"{a}-{b} in the {event} on {day} night.")
        if rng.random() < 0.3:
            desc += ' "We never stopped believing," the coach said.'
    elif topic in (3, 4) and rng.random() < 0.2:
        # Technology-company market news, written the same way under Business and Sci/Tech: as in the real AG News,
        # where these two topics are the usual confusion, such items cannot be told apart (about 20% of each).
        co, product = rng.choice(TECH_COS), rng.choice(TECH["product"])
        (item, plural), (v_sing, v_plur, v_past) = rng.choice(BUSINESS["item"]), rng.choice(BUSINESS["verb"])
        title = f"{co} {item} {v_plur if plural else v_sing} on {product} demand"
        desc = (f"{agency} - {co} said on {day} that its {item} {v_past} {rng.randint(2, 35)} percent, "
                f"helped by its new {product}, {rng.choice(BUSINESS['tail'])}.")
    elif topic == 3:  # Business
        co = rng.choice(COMPANIES)
        (item, plural), (v_sing, v_plur, v_past) = rng.choice(BUSINESS["item"]), rng.choice(BUSINESS["verb"])
        pct = rng.randint(2, 35)
        title = f"{co} {item} {v_plur if plural else v_sing}"
        desc = f"{agency} - {co} said on {day} that its {item} {v_past} {pct} percent, {rng.choice(BUSINESS['tail'])}."
        if rng.random() < 0.3:
            desc += " Shares closed at $" + f"{rng.randint(10, 90)}.{rng.randint(10, 99)} on Wall Street."
    else:  # Sci/Tech
        if rng.random() < 0.35:
            title = f"{rng.choice(TECH['science'])} {rng.choice(TECH['finding'])}"
            desc = f"{agency} - {title}, according to a study published on {day}, {rng.choice(TECH['tail'])}."
        else:
            co = rng.choice(TECH_COS)
            verb, product = rng.choice(TECH["verb"]), rng.choice(TECH["product"])
            title = f"{co} {verb} new {product}"
            desc = f"{agency} - {co} on {day} {verb} a new {product} {rng.choice(TECH['tail'])}."
    if rng.random() < 0.3:
        desc += " " + rng.choice(CROSS[topic]).format(n=rng.randint(2, 9), day=day, place=rng.choice(PLACES))
    return f"{title} ({agency})", desc


def write_ag_news(rng, path, per_class):
    rows = [(topic, *article(rng, topic)) for topic in (1, 2, 3, 4) for _ in range(per_class)]
    rng.shuffle(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for topic, title, desc in rows:
            w.writerow([str(topic), title, desc])


def main():
    imdb = os.path.join(HERE, "aclImdb")
    ag = os.path.join(HERE, "ag_news_csv")
    for d in (imdb, ag):
        shutil.rmtree(d, ignore_errors=True)
    rng = random.Random(20240611)
    write_imdb(rng, imdb, "train", 75)
    write_imdb(rng, imdb, "test", 25)
    os.makedirs(os.path.join(imdb, "train", "unsup"))  # like the real corpus: unlabelled reviews, ignored by the reader
    for i in range(3):
        with open(os.path.join(imdb, "train", "unsup", f"{i}_0.txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write(review(rng, i % 2, 5))
    os.makedirs(ag)
    rng = random.Random(20240612)
    write_ag_news(rng, os.path.join(ag, "train.csv"), 80)
    write_ag_news(rng, os.path.join(ag, "test.csv"), 20)
    with open(os.path.join(ag, "classes.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("World\nSports\nBusiness\nSci/Tech\n")


if __name__ == "__main__":
    main()
