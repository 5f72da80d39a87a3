"""No rule loses body text: the failure shapes found on real scrapes (issue 12), each as a
short document of its own, through the whole pipeline and the built-in rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.config import CleanConfig
from cleaner.errors import RuleError
from cleaner.pipeline.run import clean
from cleaner.rules.engine import Rulebook
from cleaner.text.lang import detect_lang
from cleaner.text.normalize import match_key

BODY = [
    "رئیس فدراسیون فوتبال امروز در نشست خبری با خبرنگاران گفت‌وگو کرد.",
    "او گفت که تیم ملی برای بازی‌های مقدماتی جام جهانی آماده می‌شود.",
    "سرمربی تیم ملی نیز فهرست بازیکنان دعوت شده را اعلام کرد.",
    "اردوی تیم ملی از شنبه در تهران آغاز می‌شود.",
]


def _kept(text: str, **kw) -> set[str]:
    res = clean(text, **kw)
    return {match_key(p) for p in (res.title, *res.paragraphs) if p}


def _all_kept(text: str, **kw) -> None:
    kept = _kept(text, **kw)
    lost = [ln for ln in text.splitlines() if ln.strip() and match_key(ln) not in kept]
    assert not lost, f"lost: {lost}"


def _book(folder: Path, name: str, text: str) -> tuple[CleanConfig, Rulebook]:
    """A configuration and rulebook with one more rule file, ``name`` in ``folder``."""
    (folder / name).write_text(text, encoding="utf-8")
    config = CleanConfig(rules_dirs=(folder,))
    return config, Rulebook.load(config.rules_dirs)


def test_colon_announcing_a_line_up_keeps_it():
    lineup = [
        "دروازه‌بان:",
        "علیرضا بیرانوند، امیرحسین بیات",
        "مدافعان:",
        "سیدجلال حسینی، محمد انصاری",
    ]
    _all_kept("\n".join([*BODY, "ترکیب احتمالی تیم ملی:", *lineup]))


def test_colon_announcing_fixtures_keeps_them():
    fixtures = ["* بابلسر - شهرداری سمنان", "* گاز ایران - سنگ‌تاش شیراز", "* ذوب‌آهن - اسلامشهر"]
    _all_kept("\n".join([*BODY, "برنامه بازی‌های هفته به شرح زیر است:", *fixtures]))


def test_a_long_speech_after_a_colon_is_not_a_tail():
    speech = [
        f"بند {n}: دولت موظف است برنامه‌های اشتغال را در همه استان‌ها اجرا کند و گزارش دهد."
        for n in range(1, 21)
    ]
    _all_kept("\n".join([*BODY, "متن کامل سخنان به این شرح است:", "بسم الله", *speech]))


def test_a_next_article_teaser_still_goes():
    teaser = [
        "آندری کارتاپولوف:",
        "موافقت پوتین با تشکیل سامانه دفاع هوایی مشترک",
        "رئیس‌جمهور روسیه توافقنامه تشکیل سامانه پدافند هوایی را امضا کرد.",
    ]
    kept = _kept("\n".join([*BODY, *teaser]))
    assert not kept & {match_key(t) for t in teaser}
    assert match_key(BODY[-1]) in kept


def test_an_end_marker_tail_is_bounded_in_characters():
    # An end marker with a second whole article after it (two stories scraped as one):
    # twenty paragraphs are within the rule's line bound but not its character bound.
    second = [
        f"بند {n} گزارش: کمیسیون بودجه مجلس امروز جلسه داشت و درباره اعتبارات عمرانی استان‌ها، "
        "حقوق کارکنان دولت، یارانه‌های نقدی و طرح‌های نیمه تمام گفت‌وگو کرد و تصمیم گرفت."
        for n in range(20)
    ]
    res = clean("\n".join([*BODY, "انتهای پیام/", *second]))
    assert [r.text for r in res.removed] == ["انتهای پیام/"]
    assert len(res.paragraphs) + bool(res.title) == len(BODY) + len(second)


def test_repeated_interview_question_and_refrain_are_kept():
    text = "\n".join(
        [
            "حاورنا لاعبين اثنين قبل المباراة النهائية في الرياض.",
            "سالم الدوسري",
            "ما هو توقعك لنتيجة المباراة؟",
            "نتوقع الفوز بإذن الله على الفريق المنافس.",
            "ياسر الشهراني",
            "ما هو توقعك لنتيجة المباراة؟",
            "المباراة صعبة على الفريقين في هذا الموسم.",
        ]
    )
    res = clean(text)
    assert [p for p in res.paragraphs if p == "ما هو توقعك لنتيجة المباراة؟"] == [
        "ما هو توقعك لنتيجة المباراة؟"
    ] * 2


def test_a_formula_repeated_far_apart_is_kept_and_a_lead_printed_twice_goes():
    formula = "كما جرى استعراض مستجدات الأوضاع الإقليمية والدولية والأمور ذات الاهتمام المشترك."
    text = "\n".join(
        [
            "استقبل الأمير في مكتبه أمس سفير اليابان لدى المملكة.",
            "وجرى خلال الاستقبال بحث العلاقات الثنائية بين البلدين.",
            formula,
            "ثم استقبل الأمير سفير البرازيل لدى المملكة.",
            formula,
        ]
    )
    res = clean(text)
    assert [p for p in res.paragraphs if p == formula] == [formula, formula]
    lead = "استقبل الأمير في مكتبه أمس سفير اليابان لدى المملكة."
    res = clean(lead + "\n" + lead + "\nوجرى بحث العلاقات الثنائية بين البلدين.")
    assert [r.rule for r in res.removed] == ["global/exact-repeat"]


_CONDOLENCE = (
    "عن عزائه ومواساته لأسر الشهداء، سائلاً الله أن يتغمدهم بواسع رحمته"
    " وأن يمن على المصابين بالشفاء العاجل."
)


def test_near_copies_of_one_formula_and_a_restated_sentence_are_kept():
    calls = [
        "تلقى ولي العهد اتصالاً هاتفياً اليوم من وزير الداخلية البحريني أعرب فيه عن استنكاره.",
        "وأعرب سموه " + _CONDOLENCE,
        "وقدم ولي العهد شكره وتقديره لوزير الداخلية على مشاعره الطيبة.",
        "وعبر معاليه " + _CONDOLENCE,
        "وقدم ولي العهد شكره وتقديره لوزير الداخلية الكويتي على مشاعره الطيبة.",
        "وعبر سموه " + _CONDOLENCE,
    ]
    _all_kept("\n".join(calls))
    craze = "بزيادة هوس المراهقين بنجوم الفن والرياضة، حيث تمتلئ هذه المواقع بآلاف الصفحات."
    restated = [
        "وساهمت مواقع التواصل الاجتماعي " + craze,
        "وأضافت أم زياد أن من يتتبع أخبار هؤلاء المشاهير يعلم أن الشهرة أصبحت في الأمور السلبية.",
        "وأضافت أن مواقع التواصل الاجتماعي ساهمت " + craze,
    ]
    _all_kept("\n".join(restated))


def test_a_run_of_reworded_copies_goes_with_an_exact_copy_and_names_the_line_it_copies():
    homes = "الحكومة ستبني مئة ألف مسكن للأسر الشابة في السنوات الخمس المقبلة وإن التمويل جاهز"
    work = "العمل يبدأ الشهر المقبل في كل المناطق وأن الأولوية للأسر التي تنتظر منذ سنوات طويلة"
    towns = "المشروع يشمل المدن الصغيرة والقرى أيضا في كل مناطق المملكة دون استثناء لأي منطقة منها"
    body = [f"قال الوزير إن {homes}.", f"وأضاف أن {work}.", f"وأكد أن {towns}."]
    reworded = [f"{homes} تماما.", f"{work} جدا."]
    res = clean("\n".join([*body, reworded[0], towns + ".", reworded[1]]))
    assert [p for p in res.paragraphs if p in reworded] == []
    assert [(r.rule, r.detail.split(" (")[0]) for r in res.removed] == [
        ("global/near-repeat", "copies line 1"),
        ("global/exact-repeat", "printed again inside an earlier paragraph"),
        ("global/near-repeat", "copies line 2"),
    ]
    # Without an exact copy among them, two restated sentences are the writer's: kept.
    _all_kept("\n".join([*body, *reworded]))
    # The same copies as the document's lead: the article's own, kept.
    _all_kept("\n".join([*reworded, towns + ".", *body]))


def test_a_list_item_between_copies_goes_only_when_the_kept_text_holds_it():
    homes = "الحكومة ستبني مئة ألف مسكن جديد للأسر الشابة في السنوات الخمس المقبلة في كل المناطق"
    work = "العمل يبدأ الشهر المقبل في كل المناطق وأن الأولوية للأسر التي تنتظر منذ سنوات طويلة"
    towns = "المشروع يشمل المدن الصغيرة والقرى أيضا في كل مناطق المملكة دون استثناء لأي منطقة منها"
    body = [f"قال الوزير إن {homes}.", f"وأضاف أن {work}.", f"وأكد أن {towns}."]
    # Item 2 joins the end of line 1 to the start of line 2: no one line holds it.
    joined = (
        "2. للأسر الشابة في السنوات الخمس المقبلة في كل المناطق وأضاف أن العمل يبدأ الشهر المقبل"
    )
    items = ["جمل للعناوين", f"1. {homes}.", joined, f"3. {towns}."]
    res = clean("\n".join([*body, *items]))
    assert joined not in res.paragraphs
    gone = {r.text: r for r in res.removed}
    assert gone[joined].rule == "global/near-repeat"
    assert gone[joined].detail.startswith("between copies of a run of 2")
    # A line between the same copies that says something of its own stays.
    own = "2. المعارضة ستصوت ضد ميزانية الإسكان عندما يجتمع البرلمان مرة أخرى في الخريف المقبل"
    _all_kept("\n".join([*body, items[0], own]))
    assert own in clean("\n".join([*body, items[1], own, items[3]])).paragraphs


def test_table_numbers_and_link_lists_are_kept():
    table = "ترتيب الفرق\nالهلال\n9\nالنصر\n7\nالأهلي\n4"
    _all_kept(table)
    links = "\n".join(
        [
            "نشرت الوزارة التقارير الثلاثة على موقعها.",
            "https://example.gov/reports/1.pdf",
            "https://example.gov/reports/2.pdf",
        ]
    )
    _all_kept(links)
    assert clean("قال الوزير إن المشروع يبدأ غدا.\n0").paragraphs == (
        "قال الوزير إن المشروع يبدأ غدا.",
    )


def test_a_quoted_foreign_sentence_is_kept_and_a_template_string_goes():
    text = "\n".join(
        [
            "نشر المتحدث باسم الخارجية الصينية تغريدة أثارت جدلا واسعا.",
            "وكتب في تغريدته:",
            "中国愿同各方一道，推动地区局势缓和。",
            "Заголовок открываемого материала",
        ]
    )
    res = clean(text)
    assert "中国愿同各方一道，推动地区局势缓和。" in res.paragraphs
    assert [r.text for r in res.removed] == ["Заголовок открываемого материала"]


def test_persian_typed_with_arabic_letter_forms_is_persian():
    text = "وي گفت: اين دفاتر قادرند 24 هزار روستا را تحت پوشش خدمات بانكي قرار دهند.\nانتهاي پيام/"
    assert detect_lang(text) == "fa"
    res = clean(text)
    assert res.lang == "fa" and "fa" in res.rulesets
    assert [r.category for r in res.removed] == ["end-marker"]


def test_a_site_chosen_by_url_applies_whatever_the_language(tmp_path: Path):
    config, book = _book(
        tmp_path,
        "site.yaml",
        "name: example-site\nscope: site\nlangs: [fa]\ndomains: [example.ir]\nrules:\n"
        "  - id: widget\n    kind: line\n    category: navigation\n"
        "    description: The site's widget.\n    match: ['ويجت الموقع']\n"
        "    drop: ['ويجت الموقع']\n    keep: ['ويجت الموقع في الصفحة الأولى.']\n",
    )
    text = "أعلنت الوزارة أمس عن خطة جديدة للطرق.\nويجت الموقع"
    res = clean(text, url="https://www.example.ir/news/1", config=config, rulebook=book)
    assert res.lang == "ar" and "example-site" in res.rulesets
    assert [r.rule for r in res.removed] == ["example-site/widget"]
    assert "example-site" not in clean(text, config=config, rulebook=book).rulesets


def test_title_from_first_line_is_reported_and_kept_in_text():
    res = clean("گفتگوی پوتین و بایدن درباره اوکراین\nکرملین اعلام کرد که گفتگو سازنده بود.")
    assert res.title_from == "first-line"
    assert res.title == "گفتگوی پوتین و بایدن درباره اوکراین"
    assert res.to_dict()["title_from"] == "first-line"
    assert res.text.startswith(res.title)


def test_html_keeps_the_page_title_and_the_first_line():
    html = (
        "<html><head><title>Budget vote delayed</title></head><body><article>"
        "<p>Committee hearing ends without a vote</p>"
        "<p>The finance committee met on Monday and adjourned after six hours of debate "
        "without voting on the budget, its chair said in a statement to reporters.</p>"
        "<p>A new session is expected next week, when the chair hopes to reach a final "
        "agreement with the opposition on the spending plan for the coming year.</p>"
        "</article></body></html>"
    )
    res = clean(html, is_html=True)
    assert res.title == "Budget vote delayed" and res.title_from == "html"
    assert res.paragraphs[0] == "Committee hearing ends without a vote"


def test_cut_parts_are_explained_and_the_sentence_stays():
    text = (
        "وهبط خام برنت إلى 56.65 دولارا للبرميل. "
        "رابط الخبر بصحيفة الوئام: النفط يتراجع نحو 1 % في ختام التعاملات\n"
        "سبق- أبها: باشرت فرق الدفاع المدني حريقا في أحد المستودعات."
    )
    res = clean(text)
    assert "وهبط خام برنت إلى 56.65 دولارا للبرميل." in res.paragraphs
    assert "باشرت فرق الدفاع المدني حريقا في أحد المستودعات." in res.paragraphs
    cuts = {(r.rule, r.category, r.text) for r in res.removed}
    assert (
        "ar/story-link-glued",
        "related",
        "رابط الخبر بصحيفة الوئام: النفط يتراجع نحو 1 % في ختام التعاملات",
    ) in cuts
    assert ("ar/dateline-glued", "byline", "سبق- أبها:") in cuts


def test_a_cut_off_the_end_needs_a_sentence_before_it():
    # No sentence ends before the label: the line is one sentence, and stays whole.
    text = "قال الوزير إن رابط الخبر: المشروع الجديد يبدأ العام المقبل في الرياض"
    res = clean("أعلنت الوزارة خطة جديدة.\n" + text)
    assert text in res.paragraphs and not res.removed


def test_player_labels_between_runs_of_spaces_go():
    text = (
        "رئیس‌جمهور امروز به استان سفر کرد.   کد ویدیو   دانلود فیلم اصلی   "
        "او در این سفر از چند طرح بازدید کرد."
    )
    res = clean(text)
    assert {r.text for r in res.removed} == {"کد ویدیو", "دانلود فیلم اصلی"}
    assert "او در این سفر از چند طرح بازدید کرد." in res.paragraphs


def test_a_link_the_previous_line_announces_is_not_cut_as_glued():
    text = (
        "ودعت المديرية العامة للجوازات المراجعين إلى زيارة موقعها على الرابط\n"
        "www.gdp.gov.sa . رابط الخبر بصحيفة الوئام: الجوازات تصحح أوضاع اليمنيين"
    )
    res = clean(text)
    assert any(p.startswith("www.gdp.gov.sa") for p in res.paragraphs)
    assert "global/url-glued-start" not in {r.rule for r in res.removed}


def test_a_column_of_readers_signatures_is_kept():
    qa = []
    for name in ["عبدالله المطيري - الكويت", "فهد الرشيد - الدمام", "بندر العصاي -عنيزة"]:
        qa += [
            "* ما توقعك لمباراة السوبر في لندن هذا الموسم؟",
            name,
            "- المباراة صعبة على الفريقين!",
        ]
    _all_kept("\n".join(qa))


def test_a_fragment_after_the_last_sentence_goes_a_subheading_inside_stays():
    # A subheading glued to the end of an earlier paragraph has the shape of a caption or
    # a writer's title glued after the article's last sentence: only the last is cut.
    body = [
        "وفي عهده أنشئ عدد من الوزارات وافتتحت الجامعات الأولى في البلاد. الملك فيصل",
        "وتولى الحكم بعد أخيه وواصل بناء مؤسسات الدولة الحديثة في كل المناطق. محلل سياسي",
        "ولا تزال آثار تلك المرحلة ظاهرة في مدن المملكة حتى اليوم.",
    ]
    res = clean("\n".join([*body[:2], body[2] + " جانب من الحضور"]))
    assert [p for p in (res.title, *res.paragraphs) if p] == body
    removed = [(r.rule, r.text) for r in res.removed]
    assert removed == [("ar/closing-caption-glued", "جانب من الحضور")]


def test_a_media_label_headline_stays_on_the_first_line_and_goes_inside():
    ar_body = [
        "قال وزير الخارجية اليوم إن المحادثات مع الجانب الأمريكي كانت بناءة ومفيدة.",
        "وأضاف أن الحكومة تعمل على تعزيز العلاقات الثنائية في مختلف المجالات.",
    ]
    teaser = "بالفيديو: لحظة وصول الوفد إلى المطار"
    res = clean("\n".join([teaser, *ar_body]))
    assert res.title == teaser
    res = clean("\n".join([ar_body[0], teaser, ar_body[1]]))
    assert [r.rule for r in res.removed] == ["ar/media-teaser-line"]
    assert list(res.paragraphs) == ar_body


def test_a_dateline_glued_to_a_lead_under_its_title_is_cut_and_the_title_stays():
    title = "وزير الخارجية يلتقي نظيره الأمريكي"
    lead = "قال وزير الخارجية اليوم إن المحادثات مع الجانب الأمريكي كانت بناءة ومفيدة جدا."
    rest = "وأضاف أن الحكومة تعمل على تعزيز العلاقات الثنائية في مختلف المجالات."
    res = clean("\n".join([title, f"القاهرة - رويترز: {lead}", rest]))
    assert res.title == title
    assert list(res.paragraphs) == [lead, rest]
    assert [(r.rule, r.text) for r in res.removed] == [
        ("ar/dateline-agency-glued", "القاهرة - رويترز:")
    ]
    # A third line is no lead: the same words there are the article's.
    res = clean("\n".join([title, lead, f"القاهرة - رويترز: {rest}"]))
    assert not res.removed


def test_a_cut_through_the_line_takes_the_pieces_glue_cut_apart():
    # The list's headlines hold a "?" glued to the next one: the line is cut into pieces
    # there, and the list goes on in the next piece of the same line.
    last = "وليحمي الله أوطان المسلمين إنه هو السميع البصير مجيب الدعاء."
    body = "كان بودنا أن يكون هذا العالم آمنا من المتربصين بأمنه واستقراره وسلامة أهله."
    teaser = "مقالات أخرى للكاتبهل نستطيع تنقية البيئة الإعلامية؟الطفل.. والحوارالمواطن"
    res = clean(f"{body}\n{last} {teaser}")
    assert list(res.paragraphs) == [body, last]
    rules = {r.rule for r in res.removed}
    assert rules == {"ar/writer-more-articles-glued"}
    # A piece of another line is not taken.
    res = clean(f"{last} {teaser}\nوتابع الكاتب حديثه؟نعم تابعه في الأسبوع التالي بمقال آخر.")
    assert res.paragraphs[-1] == "وتابع الكاتب حديثه؟ نعم تابعه في الأسبوع التالي بمقال آخر."


#: A body sentence per language, glued to each drop example on the same line.
_GLUED_SENTENCE = {
    "fa": BODY[0],
    "ar": "قال وزير الخارجية اليوم إن المحادثات مع الجانب الأمريكي كانت بناءة ومفيدة.",
    "en": "The foreign minister said on Monday that the talks had been constructive.",
}


@pytest.mark.parametrize("sentence_first", [True, False], ids=["after-sentence", "before-sentence"])
def test_a_line_rule_spares_a_sentence_glued_to_its_drop_example(sentence_first: bool):
    # Every pattern rule's drop example glued to a body sentence on the same line: after it
    # (the line holds article text, so no line rule may drop it whole) or before it (a
    # caption, a teaser or a notice that runs to the line's end must not run into the
    # sentence; a rule whose label takes the rest of its line says so: takes_rest).
    lost = []
    for rule in Rulebook.load().rules():
        if rule.kind != "pattern" or (not sentence_first and rule.params["takes_rest"]):
            continue
        for example in rule.drop:
            lang = detect_lang(example)
            if lang not in _GLUED_SENTENCE:
                continue
            sentence = _GLUED_SENTENCE[lang]
            line = f"{sentence} {example}" if sentence_first else f"{example} {sentence}"
            if match_key(sentence) not in " ".join(_kept(f"{BODY[1]}\n{line}")):
                lost.append((rule.id, example))
    assert not lost, lost


def test_a_line_rule_spares_the_sentence_glued_after_its_leftover():
    # The notice's words match at the line's start; the closed sentence after them is text.
    sentence = "قال وزير الخارجية اليوم إن المحادثات مع الجانب الأمريكي كانت بناءة ومفيدة."
    kept = " ".join(_kept(f"{BODY[1]}\nجميع التعليقات تخضع للمراجعة قبل النشر {sentence}"))
    assert match_key(sentence) in kept


def test_a_label_that_takes_the_rest_of_its_line_still_goes():
    # "Other articles of the writer", then their headlines: the whole line is the list, even
    # where the last headline ends like a sentence.
    teaser = "مقالات أخرى للكاتبهل تنجح خطة الوزارة في حل أزمة السكن هذا العام فعلا؟"
    body = "قال وزير الخارجية اليوم إن المحادثات مع الجانب الأمريكي كانت بناءة ومفيدة."
    assert match_key(teaser) not in " ".join(_kept(f"{body}\n{teaser}"))


def _label_rule_book(tmp_path: Path) -> tuple[CleanConfig, Rulebook]:
    return _book(
        tmp_path,
        "label.yaml",
        "name: label\nscope: lang\nlangs: [en]\nrules:\n"
        "  - id: name-label\n    kind: pattern\n    category: byline\n    first_line: true\n"
        "    description: A name over the text.\n"
        "    pattern: '^Dr\\.? [A-Z][a-z]+ [A-Z][a-z]+$'\n"
        "    examples:\n      - text: |\n          Dr Jane Smith\n"
        "          The minister said on Monday that the talks went well.\n"
        "        dropped: ['Dr Jane Smith']\n    keep: ['Dr Jane Smith said so.']\n",
    )


def test_a_first_line_pattern_takes_the_opening_label_only(tmp_path: Path):
    config, book = _label_rule_book(tmp_path)
    body = [
        "The minister said on Monday that the talks with the delegation went well.",
        "He added that both sides agreed to meet again before the end of the year.",
    ]

    def removed(lines: list[str]) -> list[str]:
        res = clean("\n".join(lines), config=config, rulebook=book)
        return [r.text for r in res.removed if r.rule == "label/name-label"]

    assert removed(["Dr Jane Smith", *body]) == ["Dr Jane Smith"]
    # The same shape inside the text is the text's own (a subheading, a quoted name).
    assert removed([body[0], "Dr Jane Smith", body[1]]) == []
    # Down the document too: the first of a list of names (a readers' column's askers).
    assert removed(["Dr Jane Smith", body[0], "Dr John Brown", body[1]]) == []
    # Nothing follows it: a document of the name alone keeps it.
    assert removed(["Dr Jane Smith"]) == []


def test_an_alone_pattern_takes_a_record_made_of_its_line_only(tmp_path: Path):
    config, book = _book(
        tmp_path,
        "lone.yaml",
        "name: lone\nscope: lang\nlangs: [en]\nrules:\n"
        "  - id: lone-name\n    kind: pattern\n    category: caption\n    alone: true\n"
        "    description: A record whose only text is a name.\n"
        "    pattern: '^Dr\\.? [A-Z][a-z]+ [A-Z][a-z]+$'\n"
        "    examples:\n      - text: |\n          Dr Jane Smith\n"
        "        dropped: ['Dr Jane Smith']\n    keep: ['Dr Jane Smith said so.']\n",
    )
    sentence = "The minister said on Monday that the talks with the delegation went well."

    def removed(lines: list[str]) -> list[str]:
        res = clean("\n".join(lines), config=config, rulebook=book)
        return [r.text for r in res.removed if r.rule == "lone/lone-name"]

    assert removed(["Dr Jane Smith"]) == ["Dr Jane Smith"]
    # Over the text, under it, or in a list of names: the document's own, not this rule's.
    assert removed(["Dr Jane Smith", sentence]) == []
    assert removed([sentence, "Dr Jane Smith"]) == []
    assert removed(["Dr Jane Smith", "Dr John Brown"]) == []


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        # The opening line's text, not its comparison key.
        (["first_line", "on_key"], "first_line"),
        # The document's only line, which neither reads other lines nor their keys.
        (["alone", "first_line"], "alone"),
        (["alone", "needs_text"], "alone"),
        (["alone", "on_key"], "alone"),
    ],
)
def test_a_pattern_refuses_flags_that_contradict_each_other(
    tmp_path: Path, flags: list[str], named: str
):
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nscope: lang\nlangs: [en]\nrules:\n"
        "  - id: r\n    kind: pattern\n    category: byline\n"
        + "".join(f"    {flag}: true\n" for flag in flags)
        + "    description: x\n    pattern: '^a b$'\n    drop: ['a b']\n    keep: ['c']\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=rf"bad\.yaml.*{named}"):
        Rulebook.load((tmp_path,))


def test_a_caption_rule_that_needs_text_spares_an_item_made_of_its_caption(tmp_path: Path):
    config, book = _book(
        tmp_path,
        "cap.yaml",
        "name: cap\nscope: lang\nlangs: [en]\nrules:\n"
        "  - id: agency-caption\n    kind: pattern\n    category: caption\n"
        "    needs_text: true\n    description: A caption closed by its agency.\n"
        "    pattern: '^[^.!?]{3,80} \\((?P<credits>Reuters|AFP)\\)$'\n"
        "    capture: {credits: text}\n"
        "    capture_examples:\n      - line: 'Protesters in the square (AFP)'\n"
        "        fields: {credits: AFP}\n"
        "    examples:\n      - text: |\n          Protesters in the square (AFP)\n"
        "          The minister said on Monday that the talks went well.\n"
        "        dropped: ['Protesters in the square (AFP)']\n"
        "    keep: ['Protesters said so (AFP) on Monday']\n",
    )
    sentence = "The minister said on Monday that the talks with the delegation went well."
    caption = "A woman looks at a painting in the museum (Reuters)"

    res = clean(f"{sentence}\n{caption}", config=config, rulebook=book)
    assert [r.text for r in res.removed] == [caption]
    # A picture-and-caption item: the caption is its text, kept, its credit still read.
    res = clean(f"A woman in the museum\n{caption}", config=config, rulebook=book)
    assert caption in res.paragraphs and not res.removed
    assert res.meta["metadata"]["credits"] == ["Reuters"]
