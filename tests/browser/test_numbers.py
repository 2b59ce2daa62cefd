"""The numbers people read: an asker's follow-up is not an answer ("Questions for you", the
space list, the question), and Insights shows ideas with no product and honours the segment —
in Chromium, in English and Chinese, at desktop and phone width."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from community.permissions import Role
from tests.browser.test_forums import sign_out
from tests.browser.test_ideas import _ideas
from tests.browser.test_routing import _verified_member

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def _switch_language(page: Page, locale: str) -> None:
    """The footer's language switcher (kept on the account of whoever is signed in)."""
    page.locator("#language-select").select_option(locale)  # submits on change
    expect(page.locator("html")).to_have_attribute("lang", locale.replace("_", "-"))


def _shots(page: Page, name: str) -> None:
    """Screenshots of the page as it is, at desktop and phone width, in the current language."""
    lang = page.locator("html").get_attribute("lang")
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"test-results/{name}-{lang}-{size}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _question(live_server, slug: str, asker, title: str, follow_up: str) -> int:
    """A question asked with "Ask an expert", then a follow-up by its asker; its id."""
    from community.accounts.models import User
    from community.extensions import db
    from community.forums import operations as forums
    from community.spaces import operations as spaces
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        user = db.session.get(User, asker.id)
        spaces.join_space(space, user)
        thread = forums.start_thread(
            space,
            author=user,
            kind="question",
            title=title,
            body="Uniformity fails every morning.",
            tags="qa-phantom",
            ask_expert=True,
        )
        forums.reply_to_thread(thread, author=user, body=follow_up)
        db.session.commit()
        return thread.id


def test_an_askers_follow_up_is_not_an_answer(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    mod = live_user(role=Role.MODERATOR, display_name="Mia Moderator")
    admin = live_user(role=Role.ADMIN, display_name="Ada Admin")
    slug = live_space(mod, name="Phantom QA", slug="phantom-qa-bt")
    expert = live_user(display_name="Erik Lindqvist")
    _verified_member(live_server, slug, expert, "qa-phantom", admin)
    asker = live_user(display_name="Casey Morgan")
    title = "Water phantom uniformity fails"
    thread_id = _question(live_server, slug, asker, title, "Anyone? It fails again today.")
    page = browser.new_context(base_url=base_url).new_page()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The routed expert: the asker's "Anyone?" is no answer; the question still waits.
    sign_in(page, expert.username)
    page.get_by_test_id("questions-for-you").click()
    row = page.locator(".routed-question", has_text=title)
    expect(row.locator(".stat")).to_have_text("0answers")
    expect(row).to_contain_text("Waiting for an expert")
    _shots(page, "numbers-questions-for-you")
    _switch_language(page, "zh_Hans")
    expect(row.locator(".stat")).to_have_text("0回答")
    expect(row).to_contain_text("等待专家")
    _shots(page, "numbers-questions-for-you")
    _switch_language(page, "en")

    # The space's list keeps it under Unanswered; the question says who wrote what.
    page.goto(f"/s/{slug}?status=unanswered")
    listed = page.locator(".thread-row", has_text=title)
    expect(listed).to_contain_text("Unanswered")
    expect(listed.locator(".stat")).to_have_text("0answers")
    page.goto(f"/t/{thread_id}")
    heading = page.get_by_role("heading", name="0 answers")
    expect(heading).to_contain_text("1 follow-up by the asker")
    _shots(page, "numbers-question-follow-up")

    # A real answer: "1 answer", in the singular, and the question leaves Unanswered.
    page.get_by_label("Your reply").fill("Warm the phantom to room temperature first.")
    page.get_by_role("button", name="Post answer").click()
    expect(page.get_by_role("heading", name="1 answer")).to_contain_text("1 follow-up by the asker")
    _switch_language(page, "zh_Hans")
    expect(page.get_by_role("heading", name="1 个回答")).to_contain_text("提问者补充 1 条")
    _shots(page, "numbers-question-answered")
    _switch_language(page, "en")
    page.goto(f"/s/{slug}?status=unanswered")
    expect(page.locator(".thread-row", has_text=title)).to_have_count(0)
    page.get_by_test_id("questions-for-you").click()
    expect(row.locator(".stat")).to_have_text("1answer")
    expect(row).to_contain_text("You answered")
    # An expert who is not a moderator may not accept, not even someone else's answer.
    page.goto(f"/t/{thread_id}")
    expect(page.get_by_role("button", name="Accept answer")).to_have_count(0)
    sign_out(page)


def _product_for(live_server, slug: str, admin, idea_id: int) -> None:
    """A product owned by the space, set on one idea."""
    from community.accounts.models import User
    from community.extensions import db
    from community.ideas.models import Idea
    from community.products import operations as products
    from community.spaces.models import Space

    with live_server.app.test_request_context():
        by = db.session.get(User, admin.id)
        space = db.session.scalar(db.select(Space).where(Space.slug == slug))
        product = products.create_product(
            name="Scanner Suite",
            slug="scanner-suite-bt",
            description="",
            space_ids=[space.id],
            by=by,
        )
        products.set_idea_product(db.session.get(Idea, idea_id), product, by=by)
        db.session.commit()


def test_funnel_no_product_and_knowledge_loop_by_segment(
    browser, base_url, live_server, live_user, live_space, sign_in
):
    admin = live_user(role=Role.ADMIN, display_name="Ada Admin")
    slug = live_space(admin, name="Numbers Lab", slug="numbers-lab-bt")
    buyer = live_user(display_name="Ben Buyer", segment="enterprise", organisation="Acme")
    teacher = live_user(display_name="Tess Teacher", segment="education")
    ideas = _ideas(live_server, slug, admin, ["Faster boot", "Bigger fonts", "Quiet mode"])
    _product_for(live_server, slug, admin, ideas["Faster boot"])
    _question(live_server, slug, buyer, "Why does export stall?", "Still stalling.")
    _question(live_server, slug, teacher, "How do pupils join?", "Any idea?")
    analyst = live_user(role=Role.ANALYST, display_name="Ana Analyst")
    page = browser.new_context(base_url=base_url).new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, analyst.username)

    # The funnel by product counts every idea: two have no product.
    page.goto(f"/analytics/funnel?space={slug}")
    products = page.get_by_test_id("table-products")
    expect(products.get_by_role("row", name="No product 2 0 0")).to_be_visible()
    expect(products.get_by_role("row", name="Scanner Suite 1 0 0")).to_be_visible()
    products.scroll_into_view_if_needed()
    _shots(page, "numbers-funnel-no-product")
    _switch_language(page, "zh_Hans")
    expect(page.get_by_test_id("table-products")).to_contain_text("无产品")
    _shots(page, "numbers-funnel-no-product")
    _switch_language(page, "en")

    # The knowledge loop honours the segment: the two follow-ups answered nothing.
    page.goto(f"/analytics/knowledge?space={slug}")
    kpis = page.get_by_test_id("kpi")
    expect(kpis.nth(0)).to_have_text("2")  # questions asked
    expect(kpis.nth(1)).to_have_text("0%")  # answered
    page.get_by_label("Segment").select_option(label="Enterprise")
    page.get_by_role("button", name="Apply").click()
    expect(kpis.nth(0)).to_have_text("1")
    expect(page.get_by_label("Segment")).to_have_value("enterprise")
    _shots(page, "numbers-knowledge-segment")
    _switch_language(page, "zh_Hans")
    expect(kpis.nth(0)).to_have_text("1")
    _shots(page, "numbers-knowledge-segment")
    _switch_language(page, "en")
