"""Words too common to tell texts apart: left out of full-text queries, of the content words a claim is
checked on, of topic and speaker terms, and of the words two reports of one statement are compared by."""

from __future__ import annotations

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how however i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours out over own same she should since so some
    still such than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would yet you your
    yours
    s
    said says say told according
    mr mrs ms
    one two new last week year years day days""".split()
)
