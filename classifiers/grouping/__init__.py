"""Near-duplicate grouping of cases into issue groups (DESIGN §5). Pure: the backend persists."""

from classifiers.grouping.index import GroupIndex
from classifiers.grouping.policy import GroupingPolicy, OpenGroup, choose_group, place_bound
from classifiers.grouping.summary import representative_quotes, top_keywords
from classifiers.grouping.vectors import CaseVector, GroupCentroid, merge_centroids, vectorize

__all__ = [
    "CaseVector",
    "GroupCentroid",
    "GroupIndex",
    "GroupingPolicy",
    "OpenGroup",
    "choose_group",
    "merge_centroids",
    "place_bound",
    "representative_quotes",
    "top_keywords",
    "vectorize",
]
