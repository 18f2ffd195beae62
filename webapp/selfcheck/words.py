"""The words people read in the "is this abuse?" check, for every code of
``webapp/rules/selfcheck.py``: the statements (first person for ``self``,
third person for ``someone``), the group headings of the check page, the
names and meanings of the forms of abuse, and the danger signs.

Written to be read by someone who may be frightened, on a phone: plain
words, no blame, no jargon, and abuse named as abuse where it is.
``tests/unit/test_selfcheck.py`` checks every code has its words here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATEMENTS = {
    "self": {
        "decides": _l("They decide what I wear, where I go or who I see."),
        "rules": _l("They make rules for me, and I am punished if I break them."),
        "eggshells": _l("I change what I do or say to avoid making them angry."),
        "put_down": _l("They put me down, call me names or make me doubt my own memory."),
        "documents": _l("They keep my passport, ID, bank cards or other papers from me."),
        "where_i_am": _l("They want to know where I am and who I am with, all the time."),
        "follows": _l("They follow me, or turn up where I am when I did not tell them."),
        "takes_money": _l("They take my money, wages or benefits, or decide what I can spend."),
        "debts": _l("They have run up debts in my name, or made me borrow money for them."),
        "work_rent": _l(
            "They stop me working or studying, or will not pay their share of the rent or bills."
        ),
        "friends": _l("They stop me seeing or talking to my friends or family."),
        "not_alone": _l("They do not let me go out on my own."),
        "frightened": _l("I am frightened of them."),
        "threatens": _l("They threaten to hurt me, my children, my family or my pets."),
        "leverage": _l(
            "They threaten to take the children, to tell lies about me, or to have me sent "
            "out of the country."
        ),
        "breaks_things": _l("They break or throw things when they are angry."),
        "kill": _l("They have said they will kill me."),
        "weapon": _l(
            "They have hurt me with a weapon, such as a knife, or threatened me with one."
        ),
        "hits": _l("They have pushed, slapped, hit, kicked or bitten me."),
        "neck": _l("They have strangled or choked me, or squeezed my neck, even once."),
        "sex": _l("They have pressured or forced me into sex or sexual things I did not want."),
        "gave_in": _l(
            "I have gone along with sex because I was afraid of what would happen if I said no."
        ),
        "messages": _l("They read my messages or make me give them my passwords."),
        "tracking": _l(
            "They track my phone or car, or have put something on my phone to watch me."
        ),
        "images": _l("They have shared, or threatened to share, sexual photos or videos of me."),
        "contact": _l(
            "They call or message me again and again, even after I asked them to stop or "
            "blocked them."
        ),
        "worse": _l("It is happening more often, or getting worse."),
        "fear_life": _l("I am afraid for my life, or for my children's lives."),
    },
    "someone": {
        "decides": _l("Their partner decides what they wear, where they go or who they see."),
        "put_down": _l("Their partner puts them down or makes fun of them in front of others."),
        "checks": _l("Their partner checks up on them all the time, by calls, messages or visits."),
        "money": _l("They never seem to have money of their own, or their partner controls it."),
        "withdrawn": _l(
            "They have stopped seeing friends or family, or cancel plans at the last minute."
        ),
        "afraid_of": _l("They seem afraid of their partner, or anxious to keep them happy."),
        "noises": _l("You have heard shouting, threats, crashes or screams from their home."),
        "kill": _l("You know their partner has threatened to kill them."),
        "weapon": _l("Their partner has hurt them with a weapon, or threatened them with one."),
        "injuries": _l("They have injuries they cannot or will not explain, or cover them up."),
        "neck": _l(
            "They have told you they were strangled or choked, or you have seen marks on "
            "their neck."
        ),
        "sex": _l("They have told you their partner pressures or forces them into sex."),
        "phone": _l(
            "Their partner reads their messages, tracks their phone, or has shared private "
            "images of them."
        ),
        "worse": _l("Things seem to be happening more often, or getting worse."),
        "fear_life": _l("They have told you they are afraid for their life."),
    },
}

# The headings of the check page's groups: what the statements are about.
GROUP_HEADINGS = {
    "controlled": _l("Being controlled or put down"),
    "watched": _l("Being watched or followed"),
    "money": _l("Money"),
    "isolated": _l("Being cut off from people"),
    "threatened": _l("Threats and fear"),
    "hurt": _l("Being hurt"),
    "forced": _l("Sex"),
    "online": _l("Phones, messages and the internet"),
    "now": _l("How things are now"),
}

# The answer page's headings: each form of abuse by its name.
FORM_NAMES = {
    "controlled": _l("Controlling behaviour"),
    "watched": _l("Being watched and followed"),
    "money": _l("Economic abuse"),
    "isolated": _l("Being cut off from people"),
    "threatened": _l("Threats and fear"),
    "hurt": _l("Physical abuse"),
    "forced": _l("Sexual abuse"),
    "online": _l("Abuse through technology"),
}

MEANINGS = {
    "self": {
        "controlled": _l(
            "Someone who tells you how to live, makes rules for you or keeps putting you down "
            "is controlling you. When it happens again and again, it is called coercive "
            "control. It is abuse, and it is a crime."
        ),
        "watched": _l(
            "Checking where you are all the time, following you or turning up where you are is "
            "a way of controlling you, and it can be stalking. It is abuse."
        ),
        "money": _l(
            "Taking or controlling your money, running up debts in your name or stopping you "
            "from working is economic abuse. If it has put your rent or your home at risk, we "
            "can help with that too."
        ),
        "isolated": _l(
            "Keeping you away from friends and family leaves you with nobody to turn to. It is "
            "a common part of controlling behaviour, and it is abuse."
        ),
        "threatened": _l(
            "Threats against you, your children, your family or your pets, breaking things, or "
            "living in fear of someone: this is abuse, even if they have never hurt you."
        ),
        "hurt": _l(
            "Being pushed, slapped, hit or hurt in any way is physical abuse. It is a crime, and "
            "it is never acceptable, whatever reason they give."
        ),
        "forced": _l(
            "Any sexual act you did not freely agree to is sexual abuse, even with a partner or "
            "husband. Going along with it because you are afraid is not agreeing."
        ),
        "online": _l(
            "Reading your messages, tracking your phone or sharing intimate images of you is "
            "abuse. Sharing those images, or threatening to, is a crime."
        ),
    },
    "someone": {
        "controlled": _l(
            "A partner or relative who decides how someone lives, or keeps putting them down, "
            "is controlling them. When it happens again and again, it is called coercive "
            "control. It is abuse, and it is a crime."
        ),
        "watched": _l(
            "Checking up on someone all the time is a way of controlling them. It is abuse, "
            "and it can be stalking."
        ),
        "money": _l("Controlling someone's money, or leaving them with none, is economic abuse."),
        "isolated": _l(
            "Pulling away from friends and family can be a sign that someone is cutting them "
            "off, so that they have nobody to turn to."
        ),
        "threatened": _l(
            "Fear of a partner or family member, and threats, shouting or things broken at "
            "home, are signs of abuse, even when there are no injuries."
        ),
        "hurt": _l(
            "Injuries that are not explained, or are explained away, can be a sign of physical "
            "abuse, which is a crime."
        ),
        "forced": _l(
            "Any sexual act someone did not freely agree to is sexual abuse, even within a "
            "marriage or relationship."
        ),
        "online": _l(
            "Reading someone's messages, tracking their phone or sharing private images of "
            "them is abuse, and sharing intimate images without agreement is a crime."
        ),
    },
}

# Why each sign means danger now: said the same way in both checks.
SIGN_WORDS = {
    "strangled": _l(
        "Strangling or choking, even once and even with no marks, is one of the clearest "
        "signs of danger to life."
    ),
    "kill": _l("A threat to kill should always be taken seriously."),
    "weapon": _l("A weapon, or a threat with one, means the danger is real."),
    "worse": _l(
        "Abuse that is happening more often or getting worse is a sign that the danger is growing."
    ),
    "afraid": _l("When someone fears for their life, that fear is a warning to take seriously."),
}
