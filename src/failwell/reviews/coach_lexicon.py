"""Word tables of the blameless-language coach: who can be blamed, and with which words.

The rules in coach_rules.py read only these tables, so widening the coach is a matter of
adding words here. Everything is lower case unless it says otherwise."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """A word table written as one string of words separated by spaces."""
    return frozenset(text.split())


# ---- who is a person ------------------------------------------------------------

PERSON_PRONOUNS = words(
    "i he she we you me him her us someone somebody anyone anybody everyone everybody "
    "nobody no-one whoever who"
)
# Words that stand for a thing, never a person, in subject position.
THING_PRONOUNS = words("it this that these those there which what everything nothing something anything its")
# Roles, teams and groups of people; singular and plural.
ROLE_NOUNS = words(
    "engineer engineers developer developers dev devs operator operators on-call oncall "
    "on-caller on-callers sre sres admin admins administrator administrators sysadmin sysadmins "
    "dba dbas responder responders commander commanders ic manager managers lead leads intern "
    "interns contractor contractors hire hires junior juniors reviewer reviewers author authors "
    "approver approvers tester testers qa team teams person people staff employee employees "
    "colleague colleagues teammate teammates member members owner owners architect architects "
    "analyst analysts consultant consultants technician technicians deployer deployers committer "
    "committers maintainer maintainers programmer programmers coder coders human humans "
    "individual individuals newcomer newcomers novice novices rookie rookies guy guys folks "
    "specialist specialists officer officers ops devops crew squad department director "
    "directors executive executives vp cto ceo scientist scientists designer designers "
    "coordinator coordinators"
)
# Names of departments count as people only on their own ("Management ignored ..."), not
# inside a noun phrase ("memory management", "the support ticket").
ORG_WORDS = words(
    "management leadership engineering support operations security product sales finance legal marketing"
)
# "IC", "SRE" and "DBA" are written in capitals; other all-capital words are systems.
CAPITAL_ROLES = words("IC SRE SREs DBA DBAs QA VP CTO CEO")

# Capitalised words that are not people's names: products and tools, days and months, and
# the words that start sentences.
NOT_NAMES = words(
    "kubernetes k8s terraform ansible puppet chef jenkins github gitlab bitbucket docker helm "
    "argo argocd flux spinnaker nginx haproxy envoy istio linkerd consul vault nomad redis "
    "memcached postgres postgresql mysql mariadb mongodb mongo cassandra kafka rabbitmq "
    "zookeeper elasticsearch opensearch kibana grafana prometheus alertmanager pagerduty "
    "opsgenie datadog sentry splunk slack teams jira confluence aws gcp azure cloudfront "
    "cloudflare akamai fastly lambda dynamodb bigquery snowflake airflow celery sidekiq django "
    "rails node java python go rust linux windows ubuntu debian certbot coredns bind unbound "
    "route53 cloudwatch stackdriver loki tempo jaeger vercel netlify heroku openstack vmware "
    "cron systemd the a an our their his her its this that these those my your each every "
    "after before during when while because since at in on by for then however also both "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december christmas easter black friday "
    "if once later meanwhile finally eventually initially today yesterday tomorrow tonight "
    "although though until unless instead overall no not some many most all several two three "
    "first second next last another other such as so but and or yet still only even just "
    "eu us uk api cdn dns tls ssl http https ci cd vpn sql ui ux staging prod production canary "
    "review reviews traffic latency rollback rollout failover users customers clients partners "
    "requests queries errors alerts pages tests builds config infra infrastructure network "
    "storage disk memory cpu cache database db backups backup security observability"
)

# A broad, many-cultured list of given names: a capitalised one is a person even at the
# start of a sentence. Unknown capitalised words count as names only before human acts.
GIVEN_NAMES = words(
    "aaron abdul abigail adam adebayo adriana ahmed aisha akira alan albert alejandro alex "
    "alexander alexandra alice alicia alina amanda amara amir amit ana anders andrea andrew "
    "andy angela anil anita ann anna anne anton antonio anya arjun arun asha ashley aya "
    "barbara beatriz ben benjamin bill bjorn bob bogdan brian bruno camila carla carlos "
    "carmen carol caroline catherine chen chinedu chloe chris christian christine christopher "
    "claire clara dan daniel daniela david deepa deepak diana diego dmitri dominic dong "
    "dylan ed eduardo elena eli elif elizabeth ella emily emma eric erik ethan eva fatima "
    "felix fernando finn francesca francisco frank gabriel gabriela george giulia grace greg "
    "hamza hana hannah hans harry hassan helen henrik hiro hiroshi hugo ian ibrahim igor "
    "ines ingrid irene isabel isabella ivan jack jacob jake james jamal jan jane jason javier "
    "jay jean jeff jennifer jenny jessica jim jo joan joe johan john jonas jorge jose joseph "
    "josh juan julia julian julie jun justin kai kamal karen karim kate katie keiko ken kenji "
    "kevin kim kofi kumar kwame lars laura lee lei leo leon li liam lin linda lisa liu lucas "
    "lucia luis luca lukas mai marco marcus margaret maria mariam marie mark marta martin "
    "mary matt matthew max maya mehmet mei mia michael michelle miguel mike min ming mohamed "
    "mohammed nadia naomi natalia nathan neha nick nicole nikolai nina noah nora olga oliver "
    "olivia olu omar oscar owen pablo pat patrick paul pedro peter pierre pooja priya rachel "
    "rahul raj rajesh ravi rebecca ricardo richard rita rob robert rosa rui ryan sahil "
    "sam samuel sandra sanjay sara sarah sean sebastian sergei shreya simon sofia sophia "
    "sophie stefan stella stephanie steve steven sun sunil susan sven takeshi tamara tanya "
    "thomas tim timothy tom tomas tony tyler valentina vanessa victor viktor vikram vivek wang "
    "wei will william xin yan yara yasmin yuki yusuf zainab zara zhang zoe dave jiho kwabena "
    "ngozi amaka tunde sipho thabo lerato mateo santiago valeria ximena camille louis manon "
    "lena moritz sanne bram femke fiona gareth chioma paulo emeka folake yemi bisi segun "
    "aditya akash ananya anjali arnav deepika divya gaurav harsh isha kavya kiran lakshmi manish "
    "meera nikhil nisha pranav preeti rohan rohit sachin shivani siddharth sneha sunita varun "
    "vidya yash zoya aarav aryan farah hamid layla leila nadir omid parisa reza samir tariq "
    "yasmine zahra ayesha bilal danish faisal imran junaid nabil rashid salma sana usman "
    "haruto hinata ren riku sakura sora takumi yui yuto daiki kaito mei-ling jia hao jing "
    "wen xiao yu zhen bo chang feng hui jie lan ning ping qiang rong tao ying "
    "minh thanh linh anh tuan huong duc "
    "seo-yeon ji-woo min-jun ha-eun do-yun joon hyun soo "
    "adaeze chidi ifeoma obinna tolu kemi uche zanele themba nomvula kagiso "
    "abebe almaz dawit hanna selam tsion kebede "
    "agnieszka bartosz kasia krzysztof magda marek piotr tomasz zofia "
    "olena oksana taras yaroslav andriy "
    "aleksandr alexei anastasia ekaterina irina katya maxim natasha pavel svetlana yuri "
    "ahmet ayse burak can cem deniz emre fatma kerem merve ozan selin "
    "giorgos eleni nikos maria-elena "
    "joao tiago rafael leonardo lucas thiago mariana beatriz "
    "andres camilo catalina diego esteban gonzalo ignacio jimena lucia marisol rodrigo "
    "agustin facundo florencia martina nicolas "
    "astrid bjorn elsa freya gustav ingrid karl linnea magnus nils sigrid solveig "
    "aoife ciaran declan niamh siobhan padraig "
    "callum eilidh fraser hamish isla kirsty morag "
    "bronwyn dylan gwen rhys sian "
    "amelie baptiste chloe clement elodie etienne juliette mathieu remi theo "
    "jurgen klaus matthias sabine ulrich wolfgang "
    "francesco giovanni lorenzo matteo paola riccardo silvia "
    "abby adrian aiden alyssa amber andre angel april ashton austin bella blake brandon "
    "brianna brooke caleb cameron carter casey charlie chase cody colin connor courtney dakota "
    "dana derek devon dominique drew erin evan gavin grant hailey hayden holly hunter jade "
    "jasmine jenna jeremy jesse jill jordan joy kayla kelly kendra kyle lauren logan madison "
    "marcy megan melissa molly morgan nathaniel noelle paige parker peyton quinn reese riley "
    "robin ryan shane shelby skyler spencer taylor tara travis trevor tristan troy wyatt "
    "zach zachary becky beth brad carl cheryl craig doug gary heather jerry keith larry "
    "leslie lori marty neil phil randy roger ron scott shawn terry todd tracy wendy"
)

# ---- what a person can be blamed for ----------------------------------------------

# Acts that only a person does: marked unless the subject is clearly a system.
HUMAN_ONLY_ACTS = (
    r"forgot|forgotten|forget|forgets|neglected|neglects|overlooked|disregarded|misread|misjudged|"
    r"misconfigured|mistyped|mishandled|misunderstood|fat-fingered|fat-finger|messed up|"
    r"screwed up|botched|bungled|fumbled|dropped the ball|slept through|rubber-stamped|"
    r"rubber stamped|panicked|went rogue|cut corners|cut a corner|lost track|"
    r"waved (?:[\w-]+ ){0,3}?through|"
    r"(?:did not|didn't|never|did n't) bother(?:ed)?|couldn't be bothered|could not be bothered|"
    r"(?:was not|wasn't|were not|weren't|not) paying attention|"
    r"(?:did not|didn't|never) pay(?: any)? attention"
)
# "ignored" and "missed" are also said of systems ("the client ignored the header").
SUBJECT_DEPENDENT_ACTS = (
    r"ignored|ignores|ignoring the|missed|skipped|rushed|failed to|fail to|failing to|did nothing|"
    r"caused|broke|took down|brought down|"
    r"made (?:a |an |the )?(?:[\w-]+ ){0,2}(?:mistake|mistakes|error|errors|typo|typos|blunder)|"
    r"made (?:a |an |the )?(?:bad|wrong|poor|costly|careless) (?:call|decision|choice)"
)
# After "failed to", these say the person was stopped by something, not that they slipped.
BLOCKED_VERBS = words(
    "log login connect reach access authenticate sign load open find reproduce locate get obtain join"
)
# Things a person is expected to do; not doing them reads as blame ("didn't check").
HUMAN_VERBS = words(
    "check double-check verify validate test review read notice spot see look follow ask tell "
    "inform notify communicate escalate update confirm consider think realise realize "
    "understand pay run wait care monitor watch remember investigate question acknowledge respond "
    "answer catch heed listen report document coordinate plan prepare take warn mention explain "
    "share reply react act intervene stop pause abort revert renew rotate verify inspect "
    "proofread doublecheck cross-check examine analyse analyze account handle lock back roll"
)
IRREGULAR_FORMS = {
    "read": ("read",),
    "see": ("saw", "seen"),
    "run": ("ran",),
    "take": ("took", "taken"),
    "think": ("thought",),
    "tell": ("told",),
    "understand": ("understood",),
    "catch": ("caught",),
    "pay": ("paid",),
}
# What a person "ignored" when it was theirs to heed.
SIGNAL_NOUNS = words(
    "warning warnings alert alerts page pages pager advice runbook process policy procedure "
    "checklist freeze notice notices concerns feedback recommendation recommendations steps "
    "reminder reminders email emails message messages output errors prompt instructions"
)
# Objects of "missed" that are targets or heartbeats, not signals a person overlooked.
MISSED_NOT_BLAME = words(
    "slo slos sla slas target targets objective objectives budget deadline window heartbeat "
    "heartbeats run runs schedule cutoff"
)
# Manner that makes a person's act a mistake ("deleted it by mistake").
MISTAKE_MANNER = (
    r"by mistake|by accident|accidentally|mistakenly|inadvertently|blindly|hastily|"
    r"thoughtlessly|without (?:first )?(?:thinking|checking|testing|reviewing|reading|asking|"
    r"telling|looking|verifying|confirming|consulting|notifying|informing|waiting|"
    r"double-checking|understanding|considering|following|running|warning|getting approval)|"
    r"without (?:a |an |any )?(?:review|approval|tests?|testing|sign-off|peer review|backup|"
    r"canary|dry run|dry-run|second pair of eyes|change request|ticket)|"
    r"(?:pushed|deployed|shipped|merged|released|committed|approved) (?:an? |the |his |her |their )?"
    r"(?:untested|unreviewed|broken|buggy|faulty|half-finished|bad|wrong)|"
    r"\w+ the wrong \w+|"
    r"left (?:[\w-]+ ){1,4}?(?:on|open|enabled|running|exposed|unlocked|unpatched|unattended|public)"
    r"(?= in| on| after| over| and|[.,;]|$)|"
    r"(?:went ahead|deployed|shipped|merged|pushed|continued|proceeded|released|approved) "
    r"(?:[\w-]+ ){0,4}?(?:anyway|regardless|nonetheless|anyhow)"
)

# ---- judgements, hindsight and causes ----------------------------------------------

CHARACTER_WORDS = (
    r"careless|carelessly|carelessness|sloppy|sloppily|sloppiness|lazy|lazily|laziness|"
    r"negligent|negligently|negligence|reckless|recklessly|recklessness|incompetent|"
    r"incompetence|inattentive|inattention|complacent|complacency|irresponsible|"
    r"irresponsibly|clueless|stupid|stupidity|dumb|foolish|foolishly|idiot|idiotic|"
    r"inexperienced|inexperience|cowboy|asleep at the wheel|"
    r"lapse (?:in|of) (?:judgement|judgment|attention|concentration)|"
    r"(?:poor|bad|questionable) (?:judgement|judgment|decisions?|calls?|choices?)|"
    r"errors? (?:of|in) (?:judgement|judgment)|"
    r"(?:rookie|silly|stupid|dumb|careless|basic|amateur|amateurish|avoidable|sloppy|schoolboy) "
    r"(?:mistakes?|errors?)|"
    r"lack of (?:attention|care|diligence|discipline|focus|competence|professionalism|rigou?r|"
    r"experience|judgement|judgment|thought|due diligence)|"
    r"(?:did not|didn't|never) do (?:(?:our|their|his|her|any|proper|the) )*due diligence|"
    r"be (?:more|much more) (?:careful|vigilant|diligent|thorough|attentive)|"
    r"pay (?:more|closer) attention|(?:held|hold|holding) (?:\w+ )?accountable|"
    r"(?:was|were|is|are|wasn't|weren't) not (?:careful|vigilant|attentive|diligent|cautious)|"
    r"(?:wasn't|weren't) (?:careful|vigilant|attentive|diligent|cautious)|"
    r"(?:not|n't) (?:careful|vigilant|attentive|diligent|thorough|cautious) enough|"
    r"lack(?:ed|s)? (?:the |any )?(?:discipline|care|common sense|focus|diligence|competence|"
    r"judgement|judgment)|should be ashamed|inexcusable|unforgivable|"
    r"had no business|(?:had|has|have) no (?:idea|clue) (?:what|how)|"
    r"(?:did not|didn't) know what (?:he|she|they|you|we) (?:was|were) doing"
)
# Technical terms that contain a judgement word but judge nobody.
CHARACTER_EXCEPTIONS = (
    r"lazy[- ](?:load|loads|loading|loaded|evaluation|evaluated|init|initiali[sz]ation|import|"
    r"imports|iterator|sequence|property|properties|fetch|fetching|deletion)|sloppy quorums?|"
    r"dumb (?:pipe|pipes|terminal|terminals|client|clients|proxy|proxies)"
)
HUMAN_ERROR = (
    r"(?:human|operator|pilot|engineer|engineering|developer|admin|administrator|staff) "
    r"(?:errors?|mistakes?)|manual error|user error(?! rates?| messages?| pages?| codes?| counts?)|"
    r"pebkac|picnic|layer 8 (?:issue|problem|error)|id10t|people (?:problem|issue)"
)
# "operator error message", "user error rate": names of things, not causes.
HUMAN_ERROR_NOT_CAUSE = (
    r"messages?|rates?|codes?|pages?|counts?|logs?|dialogs?|screens?|texts?|handling|budgets?|"
    r"responses?|metrics?|types?|class|classes"
)
# Passive participles after "should have been" that judge what people did, not a system.
HINDSIGHT_PASSIVES = words(
    "caught noticed spotted seen tested reviewed checked double-checked verified validated read "
    "followed escalated rolled reverted renewed done handled considered questioned flagged raised "
    "asked communicated obvious clear apparent evident known foreseen anticipated careful "
    "detected investigated examined proofread stopped paused"
)
# Nouns naming a person's mistake: "Bob's typo", "the engineer's failure to escalate".
MISTAKE_NOUNS = words(
    "mistake mistakes error errors typo typos oversight oversights slip slip-up blunder misstep "
    "omission carelessness negligence inexperience unfamiliarity ignorance fault failure lack "
    "lapse forgetfulness inattention haste misconfiguration mix-up screw-up incompetence "
    "sloppiness laziness recklessness"
)
# What a person "contributed to", "was responsible for" or "caused" in blame.
BAD_OUTCOMES = words(
    "outage outages incident incidents failure failures downtime breach problem problems issue "
    "delay delays loss data impact disruption mess bug bugs regression crash crashes mistake "
    "error errors degradation it this"
)
# Words after which the rest of a sentence talks *about* blame instead of blaming.
META_LEADS = (
    r"(?:instead of|rather than) (?:asking|blaming|saying|looking for|focusing on|pointing|"
    r"naming|finding|who)|easy to say|tempting to|temptation to|not about|we do not ask|"
    r"we don't ask|avoid (?:saying|asking|words|phrases|language)|words like|phrases like|"
    r"don't stop at|do not stop at|not stop at|beyond|move past|go past|calling (?:this|it)|"
    r"call (?:this|it)|label(?:l?ed|l?ing)? (?:this|it)?|blaming|as if|as though|"
    r"(?:looks?|seems?|sounds?|makes it look) like"
)
NEGATIONS = words(
    "not no never nobody none neither nor without isn't wasn't weren't aren't don't doesn't "
    "didn't won't cannot can't n't hardly"
)
