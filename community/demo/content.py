"""The demo communities: spaces, who is in them, and their threads, as plain data.

:mod:`community.demo` loads this through the ordinary operations. Post bodies are Markdown
with one paragraph per line (a soft line break inside Chinese text would show as a stray
space), hence the long lines; :func:`community.demo.load_demo` dedents them.

Longer than 500 lines because it is data, not code: a dozen spaces with their threads in two
languages, read top to bottom like the demo itself.
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpaceSeed:
    """A space, its owner, and the people in it. Roles and requests name members by username."""

    slug: str
    name: str
    description: str
    visibility: str
    tags: str
    owner: str
    age_days: int
    members: tuple[str, ...]
    experts: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    join_notes: tuple[tuple[str, str], ...] = ()  # notes on approved requests (restricted)
    pending: tuple[tuple[str, str], ...] = ()  # requests left for a moderator (restricted)


@dataclass(frozen=True)
class ReplySeed:
    """A reply, the members who found it helpful, and who accepted it as the answer (if so)."""

    author: str
    body: str
    helpful: tuple[str, ...] = ()
    accepted_by: str = ""


@dataclass(frozen=True)
class ThreadSeed:
    """A thread started ``days_ago`` days before the demo is loaded, with its replies."""

    author: str
    kind: str
    title: str
    body: str
    days_ago: float
    tags: str = ""
    replies: tuple[ReplySeed, ...] = ()
    pinned_by: str = ""
    locked_by: str = ""


SPACES: tuple[SpaceSeed, ...] = (
    SpaceSeed(
        slug="imaging-workflows",
        name="Imaging Workflows",
        description=(
            "For radiology and imaging teams running our scanners and workstations: daily QA "
            "and calibration, DICOM and PACS integration, remote service and uptime. Product "
            "engineers read every thread, and solved questions flow into the knowledge base."
        ),
        visibility="public",
        tags="imaging, calibration, dicom, pacs, uptime",
        owner="admin",
        age_days=62,
        members=("moderator", "expert", "sato", "customer", "jamal"),
        experts=("expert", "sato"),
        moderators=("moderator",),
    ),
    SpaceSeed(
        slug="home-cocreation",
        name="家居共创社区",
        description=(
            "和门店伙伴、设计师、普通用户一起共创家具：小户型收纳方案、组装说明的改进、配送和安装的经验都欢迎分享。"
            "设计团队每周五整理一次大家的建议，被采纳的点子会在这里公布进展。"
        ),
        visibility="public",
        tags="家居, 组装, 共创设计, 小户型",
        owner="moderator",
        age_days=48,
        members=("wangfang", "liwei", "greta"),
        experts=("wangfang",),
    ),
    SpaceSeed(
        slug="rendering-partners",
        name="Rendering Partners",
        description=(
            "Studios and VFX houses working with our engineers on the next generation of "
            "rendering nodes: benchmarks, driver builds, USD and pipeline integration. Anyone "
            "can read; partners write. Ask to join with a line about your studio and pipeline."
        ),
        visibility="restricted",
        tags="rendering, gpu, vfx, benchmarks, usd",
        owner="admin",
        age_days=55,
        members=("moderator", "expert", "lumen", "sato"),
        experts=("expert",),
        moderators=("moderator",),
        join_notes=(
            ("lumen", "Studio Lumen Films, 64 R7 nodes, Houdini + USD pipeline."),
            ("sato", "Pipeline consultant; I integrate render farms for three studios."),
        ),
        pending=(
            (
                "jamal",
                "The City of Riverton is building a 3D model of downtown for planning "
                "consultations. We'd love to learn from how studios run their pipelines.",
            ),
            (
                "greta",
                "Fjordhus is starting photo-real room renders for our catalogue and would "
                "like to follow the benchmark threads.",
            ),
        ),
    ),
    SpaceSeed(
        slug="advisory-board",
        name="Customer Advisory Board",
        description=(
            "Invitation-only room where enterprise customers and our product leads discuss "
            "the roadmap before it goes public. What is said here stays here: please don't "
            "share screenshots outside this space."
        ),
        visibility="private",
        tags="roadmap, enterprise, advisory",
        owner="admin",
        age_days=34,
        members=("moderator", "expert", "customer", "greta", "lumen", "jamal"),
        experts=("expert",),
        moderators=("moderator",),
    ),
    SpaceSeed(
        slug="classroom",
        name="课堂里的 Cocreate",
        description=(
            "老师们在这里交流怎么在课堂上用 Cocreate：为每个班建学习空间、用问答做作业答疑、让学生的好点子沉淀成知识库。"
            "Teachers from anywhere are welcome — 中文、English 都可以。"
        ),
        visibility="public",
        tags="教育, classroom, 项目式学习, 教师",
        owner="moderator",
        age_days=40,
        members=("liwei", "sato", "jamal"),
        experts=("sato",),
    ),
)


IMAGING_THREADS: tuple[ThreadSeed, ...] = (
    ThreadSeed(
        author="admin",
        kind="discussion",
        title="Welcome to Imaging Workflows — please read before posting",
        tags="guidelines",
        days_ago=58,
        pinned_by="admin",
        body="""
            Welcome! This is where radiology and imaging teams compare notes with the engineers who build the scanners and the workstation software. **Everything here is public**, so please leave out patient data: crop or blur screenshots, and never paste a DICOM header with real names or accession numbers.

            ### Asking a good question

            1. Say which **system and software version** you run (Service › About shows it, e.g. `CT-Vista 4.2.1`).
            2. Describe what you expected and what happened instead.
            3. Paste the relevant log lines in a code block — not a photo of the screen.
            4. Mark the reply that solved it as the accepted answer. Solved questions go into the knowledge base, so the next site finds the fix before they have to ask.

            ### Who answers, and how fast

            | Kind of issue | Example | First reply |
            |---|---|---|
            | System down | Scanner won't start a scan | Call service — don't post here |
            | Workflow blocker | QA fails, PACS rejects studies | Same working day |
            | How-to | Protocol tips, scripting | Within 2 working days |
            | Idea | "Could the QA report also…" | Reviewed every Friday |

            Erik (@expert) and Hana (@sato) are the space experts; Lin Mei (@moderator) keeps things tidy.
        """,
        replies=(
            ReplySeed(
                "customer",
                """
                Thanks Ada. One request: could notifications from this space also go to a shared mailbox? Our night-shift technologists share a workstation, and not all of them have their own account.
                """,
            ),
            ReplySeed(
                "moderator",
                """
                Noted for the notifications work, Casey — a shared team address is on the list. Until then, the simplest route is a team account whose e-mail is the shared mailbox.
                """,
                helpful=("customer", "jamal"),
            ),
        ),
    ),
    ThreadSeed(
        author="customer",
        kind="question",
        title="Daily QA: water phantom uniformity fails at 120 kV after the 4.2 upgrade",
        tags="qa, calibration, ct-vista-4.2",
        days_ago=21,
        body="""
            Since the upgrade to **CT-Vista 4.2.1** last Tuesday, the morning QA on both of our scanners fails the uniformity test at 120 kV. 80 and 100 kV pass. Nothing else changed: same phantom, same positioning jig, tube warm-up done.

            ```text
            QA-DAILY  CT2  120kV  WATER-20CM
              mean CT number      0.8 HU   (limit ±4.0)   PASS
              noise (SD)          4.1 HU   (limit  5.5)   PASS
              uniformity max dev  6.8 HU   (limit  5.0)   FAIL  [ROI 3 o'clock]
            ```

            Our physicist gave us a temporary QA waiver, which is fine for a day or two but not longer. Has anyone else seen this after 4.2?
        """,
        replies=(
            ReplySeed(
                "sato",
                """
                Not on 4.2 yet, but we saw something similar after a 3.x upgrade: the QA protocol had been reset to the site's default reconstruction kernel. Check Service › QA › Protocol — if the kernel says `STD-IR` instead of `STD`, that alone can push the edge ROIs out by a couple of HU.
                """,
                helpful=("customer",),
            ),
            ReplySeed(
                "expert",
                """
                @sato is right about the cause. 4.2 migrates QA protocols to the new default kernel, and the uniformity limits were never meant for the iterative one. It's a known issue (CTV-4471); 4.2.2 will keep each site's kernel.

                Until then:

                1. Reset the QA protocol kernel:
                   ```
                   $ svc-tool qa protocol set WATER-20CM --kernel STD --all-kv
                   ```
                2. Re-run the air calibration at 120 kV — on some systems the migration also invalidated that table:
                   ```
                   $ svc-tool calib air --warmup --kv 120
                   ```
                3. Run the daily QA again and keep the report for your physicist.

                **Don't** widen the uniformity limit to make the test pass. The limit is right; the protocol is wrong.
                """,
                helpful=("customer", "sato", "jamal"),
                accepted_by="customer",
            ),
            ReplySeed(
                "customer",
                """
                That was it. The kernel was `STD-IR`; after the reset and the air calibration the max deviation is 1.9 HU on CT2 and 2.3 HU on CT1. Waiver withdrawn. Thanks both!
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="customer",
        kind="question",
        title="Sending studies to two PACS during a migration, without the rejects",
        tags="dicom, pacs, migration",
        days_ago=9,
        body="""
            We're migrating from our old PACS to a vendor-neutral archive over the next three months. Until then every study has to land in **both** archives — but the old PACS must not receive dose reports and secondary captures: it rejects them, and the scanner then retries forever.

            Current DICOM nodes on the scanner:

            - `OLDPACS` — AE title `NWPACS01`, port 104, all series
            - `VNA` — AE title `NWVNA`, port 11112, not configured yet

            Can the scanner filter by SOP class per destination, or do we need a router in between?
        """,
        replies=(
            ReplySeed(
                "sato",
                """
                As far as I know auto-send filters by series description only, not by SOP class — @expert could you confirm? Either way I'd put a small router in between for the migration. We use Orthanc for exactly this; a Lua hook keeps it simple:

                ```lua
                function OnStoredInstance(instanceId, tags, metadata, origin)
                  SendToModality(instanceId, 'VNA')  -- everything goes to the new archive
                  local sop = tags['SOPClassUID']
                  -- the old PACS gets images only: no dose SR, no secondary capture
                  if sop ~= '1.2.840.10008.5.1.4.1.1.88.67' and sop ~= '1.2.840.10008.5.1.4.1.1.7' then
                    SendToModality(instanceId, 'OLDPACS')
                  end
                  Delete(instanceId)
                end
                ```

                The scanner then knows a single destination: the router.
                """,
                helpful=("customer", "expert"),
            ),
            ReplySeed(
                "expert",
                """
                Confirmed: no per-destination SOP class filter on the scanner today. +1 to the router. One thing to change on the scanner side: set **Retry on reject** to *off* for the router node, or a refusal will be treated like a network error and retried.

                @customer happy to go through the node configuration with your PACS admin if that helps.
                """,
                helpful=("customer",),
            ),
            ReplySeed(
                "customer",
                """
                Yes please — I'll book a slot in our Sunday maintenance window and report back here.
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="expert",
        kind="discussion",
        title="Remote service sessions: what should the next version do differently?",
        tags="remote-service, feedback",
        days_ago=14,
        body="""
            The field service team is redesigning remote sessions on the scanner console, and we'd rather build it with you than for you. Today a session goes like this:

            1. The service engineer calls your department.
            2. Someone at the console accepts a pop-up.
            3. The engineer has full control until someone clicks **End session**.

            Three questions we're stuck on:

            - Should sessions be **scheduled** in advance (inside a maintenance window) and then start without a click?
            - Would a **view-only** mode help when you just want us to watch a fault happen?
            - What do you need in the **session report** afterwards: the command log, a screen recording, a plain summary?

            Every answer here goes into the spec. Disagreement welcome.
        """,
        replies=(
            ReplySeed(
                "customer",
                """
                > Should sessions be scheduled in advance and then start without a click?

                Yes, but only inside a window we've approved, and with a visible banner on the console the whole time. Our technologists are often in the scan room when your engineer connects, and an unattended 06:00 start is exactly when we want the QA fixed.

                For the report: a plain summary **plus** the command log. Our physicist files the log with the QA records; our managers read the summary.
                """,
                helpful=("expert", "sato"),
            ),
            ReplySeed(
                "jamal",
                """
                From the accessibility side: today's consent pop-up can't be reached with the keyboard, and a screen reader announces it as "dialog" with no text. Whatever the new design is, please make accept/decline keyboard-operable and give it a proper label — some of our clinic staff rely on NVDA.
                """,
                helpful=("expert", "moderator"),
            ),
            ReplySeed(
                "sato",
                """
                View-only mode, please. Half of our remote sessions are really "watch this intermittent fault happen". Bonus points if the engineer can point at things on screen without being able to click.
                """,
                helpful=("customer",),
            ),
        ),
    ),
    ThreadSeed(
        author="jamal",
        kind="question",
        title="Accessible, plain-language patient preparation sheets?",
        tags="accessibility, patients, wcag",
        days_ago=2,
        body="""
            The City of Riverton runs three community clinics that refer patients for imaging. Our accessibility policy requires patient-facing documents to meet **WCAG 2.1 AA**, and the preparation sheets that ship with the scheduling module are scanned PDFs without a text layer.

            Does anyone have tagged, accessible versions — ideally in plain language, and in Spanish as well as English? We'll share ours back once we have them.
        """,
    ),
    ThreadSeed(
        author="moderator",
        kind="discussion",
        title="Planned maintenance: cloud dose tracking, Saturday 02:00–04:00 UTC",
        tags="maintenance, announcement",
        days_ago=6,
        locked_by="moderator",
        body="""
            The cloud dose-tracking service will be **unavailable on Saturday from 02:00 to 04:00 UTC** while we move it to a new database cluster.

            - Scanners keep working normally; dose reports queue locally and upload when the service is back.
            - The dose dashboard shows a maintenance banner in the meantime.
            - Nothing to do on your side.

            Replies are closed; please ask questions in a new thread.
        """,
        replies=(
            ReplySeed(
                "moderator",
                """
                **Done.** Maintenance finished at 03:12 UTC, and all queued reports (1,284 from 37 sites) had uploaded by 03:40.
                """,
                helpful=("customer",),
            ),
        ),
    ),
)


HOME_THREADS: tuple[ThreadSeed, ...] = (
    ThreadSeed(
        author="moderator",
        kind="discussion",
        title="【必读】社区公约与发帖指南",
        tags="公告, 指南",
        days_ago=47,
        pinned_by="moderator",
        body="""
            欢迎来到家居共创社区！这里有门店伙伴、设计师，也有很多爱动手的用户。为了让讨论更高效，发帖前请花一分钟看看下面几条：

            1. **提问请写清楚产品信息**：货号（包装盒侧面的 8 位数字）、购买时间、卡在说明书的第几步。
            2. **有图更好**：拍组装问题时把连接件和孔位拍清楚，比文字描述管用得多。
            3. **多分享真实场景**：房间多大、住几个人、平时怎么用——设计团队最想听的就是这些。
            4. **友善交流**：就事论事，不做人身攻击，不发广告。

            问题解决后，请把最有用的回复设为“采纳答案”。它会被整理进知识库，帮到下一位遇到同样问题的朋友。

            对社区有任何建议，可以直接 @moderator 找我。
        """,
        replies=(
            ReplySeed(
                "wangfang",
                """
                收到！门店这边也会提醒顾客来这里提问，比打客服电话快多了。
                """,
                helpful=("liwei",),
            ),
        ),
    ),
    ThreadSeed(
        author="liwei",
        kind="question",
        title="书柜背板的小钉子总是钉歪，有什么省事的办法吗？",
        tags="组装, 书柜, 背板",
        days_ago=18,
        body="""
            上周买了一个五层书柜（货号 30411258），其他步骤都挺顺利，就是最后钉背板特别痛苦：背板很薄，小钉子一敲就歪，已经有三颗从侧板里面冒出来了 😂

            说明书上只画了一把锤子，没有别的提示。有没有什么技巧？或者能不能换成不用钉子的背板？
        """,
        replies=(
            ReplySeed(
                "wangfang",
                """
                这个问题门店里几乎每周都有人问，分享几个我们总结出来的小窍门：

                1. **先画线再钉**：用铅笔在背板上对着每块层板的中线画一条横线，沿线钉，钉子就不会偏到层板外面。
                2. **先扎个小眼**：钉之前用钉尖在背板上轻轻扎一下，再扶正了敲，歪的概率小很多。
                3. **轻敲多次**：锤子别抡太大，手腕发力就够了。
                4. 已经冒出来的钉子，用钳子拔掉，在旁边 1 厘米处重新钉就行；侧板上的小孔用同色补漆笔点一下，基本看不出来。

                另外，今年秋季的新批次开始，这款书柜的背板改成了**卡槽插入式**，完全不用钉子。老款可以带上购物小票到门店免费换一套卡扣配件。
                """,
                helpful=("liwei", "moderator", "greta"),
                accepted_by="liwei",
            ),
            ReplySeed(
                "greta",
                """
                Same trick in our Bergen store: we print a cardboard strip with the nail positions marked, so customers lay it on the back panel and nail through the marks. Happy to share the template if that helps!
                """,
                helpful=("wangfang", "liwei"),
            ),
            ReplySeed(
                "liwei",
                """
                按第 1、2 条重新钉了一遍，非常整齐！谢谢 @wangfang ，周末去门店换卡扣配件。
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="wangfang",
        kind="discussion",
        title="小户型客厅收纳沙发：我们和 20 位顾客做了三个方案，欢迎拍砖",
        tags="共创设计, 小户型, 沙发",
        days_ago=11,
        body="""
            过去两个月，明远家居和 20 位住在 60 平米以下房子里的顾客一起办了三场共创工作坊：大家带着自家客厅的照片和尺寸来，现场用纸板和泡沫块搭模型，最后收敛成三个收纳沙发方案：

            | 方案 | 宽度 | 储物容量 | 工作坊投票 |
            |---|---|---|---|
            | A 抽屉式 | 180 cm | 2 × 60 L | 7 票 |
            | B 翻盖式 | 200 cm | 约 220 L | 9 票 |
            | C 模块拼接式 | 160–240 cm | 按模块增减 | 4 票 |

            顾客反馈里最集中的几点：

            - 翻盖式容量大，但**坐垫要能分区掀起**，不然拿个东西得把整个沙发清空；
            - 有小孩的家庭很在意**气压杆防夹手**；
            - 抽屉式最受租房的年轻人欢迎，因为**搬家时能拆开**。

            我们打算下个月先做 B 方案的样品。大家觉得还漏掉了什么？特别想听听家里有老人的朋友怎么说。
        """,
        replies=(
            ReplySeed(
                "liwei",
                """
                家里有老人，补充两点：坐高最好在 42–45 cm 之间，太低了老人起身很吃力；翻盖的把手别做成隐藏式，老人找不到。
                """,
                helpful=("wangfang", "moderator"),
            ),
            ReplySeed(
                "greta",
                """
                Interesting that C got so few votes — in Scandinavia modular sofas are our best sellers. Could it be that the cardboard mock-ups made the joints look fragile? In our tests people trusted the modules once they could sit on a real sample.
                """,
                helpful=("wangfang",),
            ),
            ReplySeed(
                "moderator",
                """
                谢谢大家！@wangfang 我把这几条整理进了样品需求清单：坐高 43 cm、分区坐垫、外露把手、气压杆防夹。Greta 说得也有道理，C 方案值得做一个能坐的样品再投一次票，下一场工作坊我来安排。
                """,
                helpful=("liwei", "wangfang"),
            ),
        ),
    ),
    ThreadSeed(
        author="liwei",
        kind="question",
        title="送货时衣柜侧板磕坏了一角，换件要等多久？",
        tags="配送, 售后",
        days_ago=4,
        body="""
            上周六送货上门，拆包时发现衣柜左侧板的一个角磕掉了一块漆（大概 2 厘米），送货师傅拍了照，说会报给售后。想问一下：

            - 一般换一块侧板要等多久？
            - 是只寄侧板过来，还是整套退换？
            - 等待期间能先把其他部分装起来吗？
        """,
        replies=(
            ReplySeed(
                "moderator",
                """
                别着急，按这个流程走最快：在订单详情里点“售后申请 › 部件破损”，上传磕坏处的照片，选择“只换部件”。有现货的话一般 3–5 个工作日送到；没有现货要等下一批到货，客服会打电话告诉你具体时间。
                """,
                helpful=("liwei",),
            ),
            ReplySeed(
                "wangfang",
                """
                补充一下：如果是带推拉门的款式，**侧板和顶板要一起装**，建议等侧板到了再组装主体，不然到时候要拆掉一半重来。
                """,
                helpful=("liwei", "moderator"),
            ),
            ReplySeed(
                "liwei",
                """
                申请已经提交了，系统显示“等待到货”。正好是推拉门款，那就先不装了，有消息再来更新。
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="wangfang",
        kind="question",
        title="有人把平开门衣柜改成推拉门吗？原来的铰链孔怎么处理？",
        tags="改造, 衣柜",
        days_ago=1,
        body="""
            门店有位顾客想把家里的平开门衣柜（宽 150 cm）改成推拉门，因为卧室太小，柜门一开就挡住床头柜。我们查了一下，轨道可以装在柜体顶板上，但原来门板上的铰链孔正好在外侧，很显眼。

            有没有人做过类似的改造？铰链孔是用装饰盖挡住，还是干脆换新门板更划算？
        """,
    ),
)


RENDERING_THREADS: tuple[ThreadSeed, ...] = (
    ThreadSeed(
        author="admin",
        kind="discussion",
        title="Partner guidelines: what to share here, and what stays in the room",
        tags="guidelines",
        days_ago=54,
        pinned_by="admin",
        body="""
            This space is **restricted**: everyone can read it, only approved partners can write. That makes it a good place for pipeline questions and benchmark results — and the wrong place for anything under NDA.

            **Fine to post here**

            - Benchmarks on released hardware and drivers
            - Scene statistics (polygon counts, texture memory, frame times) with project names removed
            - Pipeline scripts and configs you're happy to share

            **Please keep out** — use the advisory board or your account team instead

            - Unreleased hardware specs and pre-release driver numbers
            - Client names and unreleased footage

            > The best feature request we ever got came from a compositor who posted a frame-time graph and asked "why does it do *that*?"

            Post the graph.
        """,
        replies=(
            ReplySeed(
                "lumen",
                """
                Works for us. Could you add a benchmark template, so numbers from different studios are comparable?
                """,
            ),
            ReplySeed(
                "admin",
                """
                Good call, Rafael — @moderator will pin one next to this post.
                """,
                helpful=("lumen",),
            ),
        ),
    ),
    ThreadSeed(
        author="lumen",
        kind="question",
        title="Out-of-core textures stall at ~92% VRAM on the R7 nodes",
        tags="textures, vram, r7",
        days_ago=26,
        body="""
            We're rendering a forest sequence — roughly **1,900 UDIM tiles at 8K**, mostly displacement — on the R7 nodes with the 48 GB cards. Frames that fit in memory render in about 11 minutes. Frames that need out-of-core texturing don't fail, they stall: GPU utilisation drops to 3–5% and the frame takes over two hours.

            Render log around the stall:

            ```text
            [14:02:11] tex cache: 44.1 / 48.0 GB (91.9%)
            [14:02:11] tex cache: evicting 1,024 tiles (policy=fifo)
            [14:02:12] tex cache: page-in 1,024 tiles from /mnt/tex (nfs)
            [14:02:12] tex cache: evicting 1,024 tiles (policy=fifo)
            ... (repeats ~40,000 times)
            ```

            Driver 550.54, renderer 2024.3, textures on NFS. Is this a cache setting, or do we simply need bigger cards?
        """,
        replies=(
            ReplySeed(
                "expert",
                """
                You don't need bigger cards — that's cache thrashing. With `policy=fifo` the renderer evicts exactly the tiles the next bucket needs, pages them back in, evicts them again…

                ```ini
                # /etc/render/texcache.conf on every R7 node
                [cache]
                budget_gb      = 40          # leave ~8 GB for geometry and the frame buffer
                eviction       = lru-tiled   # keeps tiles used by neighbouring buckets
                prefetch_tiles = 256
                local_spill    = /scratch/texcache   # local NVMe, not NFS
                ```

                In order of impact:

                1. **Switch eviction to `lru-tiled`.** This alone usually removes the stall.
                2. **Lower the budget** to 40 GB so geometry doesn't fight the textures at the edge.
                3. **Spill to local NVMe** instead of paging from NFS; the R7 nodes have 3.8 TB of mostly idle scratch.

                Restart the service after editing (`systemctl restart render-node`). If frames are still slow, post the new log and your bucket order.
                """,
                helpful=("lumen", "sato", "moderator"),
                accepted_by="lumen",
            ),
            ReplySeed(
                "lumen",
                """
                Night and day. Same frame: **2 h 14 min → 16 min** with `lru-tiled` and local spill. We've rolled the config out to all 64 nodes and added it to our pipeline wiki.
                """,
                helpful=("expert",),
            ),
        ),
    ),
    ThreadSeed(
        author="expert",
        kind="discussion",
        title="Next-generation node: more VRAM or more compute? Tell us about your heaviest shots",
        tags="hardware, roadmap, benchmarks",
        days_ago=16,
        body="""
            We're settling the configuration of the next rendering node, and the trade-off is real: within the same power envelope we can ship either **96 GB of VRAM per card** or **about 30% more compute** with 64 GB.

            Benchmarks only tell part of the story, so we'd like to hear about the shots that hurt:

            - peak VRAM, and where it goes (geometry, textures, volumes, frame buffer)
            - frame time today
            - whether the shot is bound by memory or by compute (does it get faster with more GPUs?)

            Numbers from real productions beat any synthetic test. Nothing under NDA, please — strip the project names.
        """,
        replies=(
            ReplySeed(
                "lumen",
                """
                Our three worst from last season, names removed:

                | Shot | Peak VRAM | Frame time (R7) | Bound by |
                |---|---|---|---|
                | Forest, 1,900 UDIMs | 46 GB | 16 min | memory |
                | Ocean, FLIP + foam | 39 GB | 41 min | compute |
                | Crowd, 12k agents | 31 GB | 9 min | compute |

                So two of three are compute-bound. But the memory-bound one is the one that **blows the schedule**: out-of-core is survivable (see the texture thread), falling back to CPU rendering is not. If we have to choose: 96 GB.
                """,
                helpful=("expert", "sato", "moderator"),
            ),
            ReplySeed(
                "sato",
                """
                From the integration side: whichever you pick, please keep the cards identical within a node. Mixed-memory nodes made scheduling a nightmare for one of my clients — the farm manager can't cleanly express "this job needs the big card".
                """,
                helpful=("lumen", "expert"),
            ),
            ReplySeed(
                "expert",
                """
                Thanks both, this is exactly what we needed. Current leaning: 96 GB, uniform nodes. @lumen would you be up for testing an engineering sample on the forest shot next quarter?
                """,
            ),
            ReplySeed(
                "lumen",
                """
                Absolutely. Send it over and we'll have numbers within a week.
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="sato",
        kind="question",
        title="Hydra delegate crashes on driver 551.23 with instanced lights",
        tags="usd, hydra, drivers",
        days_ago=5,
        body="""
            Reproducible on two farms with driver **551.23** and the 2024.3 Hydra delegate; 550.54 is fine. Minimal repro:

            ```python
            from pxr import Usd, UsdGeom, UsdLux

            stage = Usd.Stage.CreateNew("lights.usda")
            bulb = UsdLux.SphereLight.Define(stage, "/Protos/Bulb")
            bulb.CreateRadiusAttr(0.05)
            instancer = UsdGeom.PointInstancer.Define(stage, "/World/Bulbs")
            instancer.CreatePrototypesRel().SetTargets([bulb.GetPath()])
            instancer.CreatePositionsAttr([(x, 0, 0) for x in range(500)])
            instancer.CreateProtoIndicesAttr([0] * 500)
            stage.Save()
            ```

            `usdrecord --renderer RenderNode lights.usda out.exr` segfaults in `HdRenderNodeLight::Sync` once there are more than about 200 instances. Has anyone found a workaround other than pinning the old driver?
        """,
        replies=(
            ReplySeed(
                "lumen",
                """
                Same here with instanced area lights in a city-at-night shot. We pinned 550.54 on the farm for now; haven't tried sphere lights on their own.
                """,
                helpful=("sato",),
            ),
            ReplySeed(
                "expert",
                """
                Reproduced in the lab with your script — thanks, that's a great repro. Filed as RN-2291. It looks like the delegate runs out of shadow-map slots; there's no workaround on your side yet except the older driver. I'll post here as soon as there's a fixed build.
                """,
                helpful=("sato", "lumen"),
            ),
        ),
    ),
    ThreadSeed(
        author="lumen",
        kind="question",
        title="Per-job power telemetry from the farm API?",
        tags="telemetry, api, power",
        days_ago=1.5,
        body="""
            Our facilities team wants to charge power back to productions. The farm API gives us per-node power draw:

            ```bash
            curl -s -H "Authorization: Bearer $FARM_TOKEN" \\
              "https://farm.studiolumen.example/api/v2/nodes/r7-031/telemetry?metric=power_w"
            ```

            …but nothing per job. Before we write our own aggregation (sample every node every 10 s and join against the job log), is there a per-job energy metric hidden somewhere, or on the roadmap?
        """,
    ),
)


ADVISORY_THREADS: tuple[ThreadSeed, ...] = (
    ThreadSeed(
        author="admin",
        kind="discussion",
        title="How this board works, and the agenda for our next call",
        tags="agenda",
        days_ago=33,
        pinned_by="admin",
        body="""
            Thank you for joining the advisory board. A few ground rules:

            - **Confidential.** Roadmap items here aren't public yet, and some will change or be dropped.
            - **Frank beats polite.** If a plan doesn't solve your problem, say so.
            - **Your votes rank the list**, not ours.

            Agenda for the next call (first Thursday of the month, 16:00 UTC):

            1. Knowledge base: how solved questions become articles (demo)
            2. Single sign-on and SCIM provisioning: scope and timeline
            3. EU data residency: what's covered
            4. Open floor
        """,
        replies=(
            ReplySeed(
                "customer",
                """
                Could we get the recording afterwards? Half of my team is on nights.
                """,
            ),
            ReplySeed(
                "admin",
                """
                Yes — recordings will be posted here within a day of each call.
                """,
                helpful=("customer", "jamal"),
            ),
        ),
    ),
    ThreadSeed(
        author="admin",
        kind="discussion",
        title="Next quarter: knowledge base first, or SSO and SCIM first?",
        tags="roadmap, sso, knowledge-base",
        days_ago=12,
        body="""
            We can't staff both next quarter, so we'd like your help to choose:

            - **Knowledge base** — solved questions and shipped ideas become searchable articles, and questions get suggested answers while they're being typed.
            - **SSO + SCIM** — sign in with your identity provider; accounts are created and removed automatically.

            Which would change more for your organisation in the first six months, and why?
        """,
        replies=(
            ReplySeed(
                "customer",
                """
                > Which would change more for your organisation in the first six months?

                SCIM, without hesitation. We have **240 technologists** across 11 sites and about 15% staff turnover a year. Today a leaver keeps their community account until someone remembers to remove it, and our compliance team flagged exactly that in the last audit.

                The knowledge base matters too, but we can live with search for another quarter. We can't live with an audit finding.
                """,
                helpful=("jamal", "greta", "expert"),
            ),
            ReplySeed(
                "greta",
                """
                For us it's the knowledge base. Our assembly questions repeat endlessly — the same thirty or so make up most of what our support team answers. Our 40 store staff can cope with passwords for a while longer.
                """,
                helpful=("moderator",),
            ),
            ReplySeed(
                "jamal",
                """
                Riverton leans SCIM as well: our IT department won't approve any new system without automated deprovisioning. But could a **minimal** knowledge base — accepted answers only, searchable — ship alongside? That might satisfy both camps.
                """,
                helpful=("customer", "greta", "admin"),
            ),
            ReplySeed(
                "moderator",
                """
                Tally so far: SCIM 2, knowledge base 1, and @jamal's "minimal knowledge base alongside" has the most helpful marks. We'll bring a costed version of that to the next call.
                """,
                helpful=("jamal",),
            ),
        ),
    ),
    ThreadSeed(
        author="greta",
        kind="question",
        title="Does EU data residency cover backups and support access?",
        tags="data-residency, gdpr, legal",
        days_ago=7,
        body="""
            Our legal team is reviewing the EU data residency option, and two questions keep coming back:

            1. Are **backups** kept in the EU as well, or only the primary database?
            2. When your support engineers help us, do they access our data **from outside the EU**?

            A short written answer we can attach to the data processing agreement would be perfect.
        """,
        replies=(
            ReplySeed(
                "admin",
                """
                Short answer: yes, and no.

                1. **Backups stay in the EU.** Primary data lives in Frankfurt; encrypted backups are replicated to Dublin. Nothing leaves the EU, disaster-recovery copies included.
                2. **Support access is EU-only by default.** Tickets from residency customers go to our Stockholm team. If they need to escalate to engineers elsewhere, they ask you first, and the session shows up in your audit trail.

                I'll send the formal wording for the DPA annex to your legal team this week.
                """,
                helpful=("greta", "customer"),
                accepted_by="greta",
            ),
            ReplySeed(
                "greta",
                """
                Perfect, thank you — that's exactly what legal wanted to hear.
                """,
            ),
        ),
    ),
)


CLASSROOM_THREADS: tuple[ThreadSeed, ...] = (
    ThreadSeed(
        author="moderator",
        kind="discussion",
        title="欢迎老师们 / Welcome, teachers — 从这里开始",
        tags="公告, welcome",
        days_ago=39,
        pinned_by="moderator",
        body="""
            欢迎来到“课堂里的 Cocreate”！这里是老师们互相取经的地方。

            **新来的老师可以先做三件事：**

            1. 在下面回帖做个自我介绍：学校、学科、年级、班级人数。
            2. 翻翻置顶帖和已解决的问题，建班级空间、邀请学生、期末归档这些常见问题大多已经有人回答过了。
            3. 遇到问题直接发“提问”，记得加上合适的标签，比如 `账号`、`隐私`、`评价`。

            **Welcome!** This space is for teachers using Cocreate in class. Post in English or Chinese — many of us read both, and @sato is happy to help with integrations (single sign-on, LMS links).

            请不要在帖子里贴学生的真实姓名、学号或照片。
        """,
        replies=(
            ReplySeed(
                "liwei",
                """
                大家好，我是清河实验学校的信息技术老师李伟，教初二，两个班一共 88 人。这学期准备用 Cocreate 做“校园里的小发明”项目，请多指教！
                """,
                helpful=("moderator",),
            ),
            ReplySeed(
                "jamal",
                """
                Hi all — Jamal from the City of Riverton. Not a teacher, but we run a civic-tech programme with two high schools, and I'm here to learn how you set up student communities.
                """,
                helpful=("liwei",),
            ),
        ),
    ),
    ThreadSeed(
        author="liwei",
        kind="question",
        title="怎么让一个班 45 个学生快速加入班级空间？",
        tags="账号, 邀请, 班级管理",
        days_ago=24,
        body="""
            下周开始上项目课，我给初二（3）班建了一个受限空间。问题是学生一个个申请、我一个个审批太慢了，45 个人要点 45 次。

            有没有批量的办法？学生都已经用学校邮箱注册了账号。
        """,
        replies=(
            ReplySeed(
                "sato",
                """
                用**邀请链接**最省事，不用一个个审批：

                1. 打开班级空间 › 成员 › 邀请链接，点“新建”。
                2. 有效期选 7 天就够了（最长 90 天）。
                3. **不要勾选“需要审批”**，这样学生点开链接就直接成为成员。
                4. 把链接发到班级群里，上课前让大家点一下。

                两个小建议：

                - 人都进来以后，记得在同一页面把链接**撤销**，免得被转发到班外。
                - 如果不想让外班同学看到内容，可以把空间改成私密，私密空间只能通过邀请加入。
                """,
                helpful=("liwei", "moderator", "jamal"),
                accepted_by="liwei",
            ),
            ReplySeed(
                "liwei",
                """
                试了一下，上课五分钟全班都进来了，链接也撤销了。太方便了，谢谢 @sato ！
                """,
            ),
        ),
    ),
    ThreadSeed(
        author="liwei",
        kind="discussion",
        title="用“问答 + 采纳答案”做作业答疑：一个学期的实践总结",
        tags="项目式学习, 作业答疑, 经验分享",
        days_ago=15,
        body="""
            上学期我在两个班试着把作业答疑从微信群搬到了 Cocreate 的问答区，分享一下体会。

            **效果比较好的地方**

            - 同一个问题不会被问十遍：学生提问前会先搜一下，很多问题已经有“已采纳”的答案了。
            - 学生之间互相回答的越来越多，到期末差不多一半的问题是同学答的。
            - 我会把讲得特别好的回答标成“有帮助”，学生很在意这个。

            **还需要改进的地方**

            - 有些学生只抄答案不看过程。后来我要求回答必须写思路，不能只给结果。
            - 晚上十点以后的提问没人管，要到第二天早上才有人回复。

            有个学生在期末反馈里写：

            > 以前在群里问问题怕被笑，现在在问答区提问反而没那么紧张，因为大家都是就题论题。

            这句话让我觉得这个尝试值了。各位老师有类似的经验吗？
        """,
        replies=(
            ReplySeed(
                "jamal",
                """
                This matches what we saw with our civic-tech students. One thing to add: check that answers work for students using screen readers. Screenshots of code are invisible to them, so we ask everyone to paste code as text in a code block.
                """,
                helpful=("liwei", "sato"),
            ),
            ReplySeed(
                "moderator",
                """
                李老师的总结太实用了，已经推荐到本周精华。晚上没人回复的问题，可以试试每天安排一位“值日答疑员”轮流值班，学生自己也能得到锻炼。
                """,
                helpful=("liwei",),
            ),
        ),
    ),
    ThreadSeed(
        author="jamal",
        kind="question",
        title="Can students ask questions anonymously in a class space?",
        tags="privacy, students",
        days_ago=8,
        body="""
            A teacher in our programme asked me this: some students won't ask a question in front of classmates, even online. Is there a way to let students post **anonymously to their peers** while the teacher still sees who wrote it?

            If not, how are others handling shy students?
        """,
        replies=(
            ReplySeed(
                "liwei",
                """
                我们也遇到过同样的问题。现在的做法是让学生私下把问题发给课代表，由课代表代为提问，效果一般。很期待有匿名功能。
                """,
                helpful=("jamal",),
            ),
            ReplySeed(
                "moderator",
                """
                Not in class spaces yet. The brainstorming sessions we're building will have anonymous notes (the facilitator turns anonymity on per session), and we're collecting use cases for Q&A — this thread is one of them. @sato do you know whether the LMS integration could pass a pseudonym through?
                """,
            ),
            ReplySeed(
                "sato",
                """
                LTI 1.3 can send a pseudonymous user ID instead of name and e-mail, so technically yes — but then the teacher wouldn't see who wrote it either. We'd need a separate "visible to teachers only" identity. Worth an idea post once ideas are live.
                """,
                helpful=("jamal", "moderator"),
            ),
        ),
    ),
    ThreadSeed(
        author="sato",
        kind="question",
        title="有没有老师愿意分享“优质回答”的评分量表？",
        tags="评价, rubric",
        days_ago=3,
        body="""
            我在帮一所国际学校设计 Cocreate 课程的评价方式，想参考一下各位老师平时怎么评价学生在问答区的回答。比如：

            - 是否写清了思路，而不只是结论；
            - 是否引用了资料或实验数据；
            - 是否回应了同学的追问。

            如果您有现成的评分量表（rubric），哪怕是手写的照片也很欢迎。我整理好以后会分享回这个空间。
        """,
    ),
)


THREADS: dict[str, tuple[ThreadSeed, ...]] = {
    "imaging-workflows": IMAGING_THREADS,
    "home-cocreation": HOME_THREADS,
    "rendering-partners": RENDERING_THREADS,
    "advisory-board": ADVISORY_THREADS,
    "classroom": CLASSROOM_THREADS,
}
