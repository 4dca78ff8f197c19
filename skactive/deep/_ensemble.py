"""Deep ensembles: independently initialised networks as a committee."""

from __future__ import annotations

from ..committee import Committee

__all__ = ["DeepEnsembleClassifier"]


class DeepEnsembleClassifier(Committee):
    """A deep ensemble: ``n_members`` networks that differ by their initialisation.

    Lakshminarayanan et al. (2017) train copies of one network from
    independent random initialisations (and shuffles) on the whole labelled
    set; their disagreement is a measure of epistemic uncertainty that
    Beluch et al. (2018) found better calibrated for active learning than
    MC-Dropout. This is a :class:`~skactive.committee.Committee` of
    ``n_members`` clones of ``estimator``, each given its own seed (every
    ``random_state`` parameter of the network), without bootstrap
    resampling, so :meth:`predict_proba_samples` returns the members'
    predictions, shape ``(n_samples, n_members, n_classes)``, and every
    disagreement strategy works over it: :class:`~skactive.BALD`,
    :class:`~skactive.BatchBALD`, :class:`~skactive.EPIG`,
    :class:`~skactive.QueryByCommittee`, :class:`~skactive.MeanSTD`,
    :class:`~skactive.VariationRatioSampling`.

    What is specific to networks: the members are fitted in parallel
    *processes* when ``n_jobs > 1`` (joblib's loky backend by default; a
    :func:`joblib.parallel_config` context chooses another), since the
    seeded training of a skorch network holds torch's random generator
    (threads would train one member at a time); and the members are
    trained on every labelled sample, the ensemble's diversity coming from
    the initialisation alone.

    Parameters
    ----------
    estimator : classifier
        The network copied ``n_members`` times: a skorch classifier, e.g.
        :class:`MCDropoutClassifier` with ``mc_predict=False`` (one
        deterministic pass per member) or a
        :class:`skorch.NeuralNetClassifier`; any classifier with
        ``predict_proba`` and a ``random_state`` parameter works. Give
        networks ``classes=`` (all labels) when the labelled set may miss
        some.
    n_members : int, default=5
        Number of networks.
    n_jobs : int, default=None
        Members fitted in parallel processes (and predicting in threads).
        ``None`` means 1 unless in a :func:`joblib.parallel_config`
        context; ``-1`` means all processors. Each process trains with
        torch's own thread settings: pin them (``torch.set_num_threads``)
        when the processes share the cores. Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Draws the members' seeds (one per member, set on every
        ``random_state`` parameter of the network). Pass an int for
        reproducible ensembles.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted networks.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit`` (2-d inputs).

    See Also
    --------
    skactive.committee.Committee : bagged copies of any classifier.
    MCDropoutClassifier : one network, sampled by dropout.

    References
    ----------
    .. [1] B. Lakshminarayanan, A. Pritzel and C. Blundell, "Simple and
       Scalable Predictive Uncertainty Estimation using Deep Ensembles",
       NeurIPS 2017.
    .. [2] W. H. Beluch, T. Genewein, A. Nürnberger and J. M. Köhler, "The
       power of ensembles for active learning in image classification",
       CVPR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.toy import MLPModule
    >>> from skactive import BALD
    >>> from skactive.deep import DeepEnsembleClassifier, MCDropoutClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> net = MCDropoutClassifier(MLPModule, module__input_units=4,
    ...                           module__output_units=2, mc_predict=False,
    ...                           max_epochs=5)
    >>> ensemble = DeepEnsembleClassifier(net, n_members=3, random_state=0)
    >>> ensemble.fit(X[:20], y[:20]).predict_proba_samples(X[:4]).shape
    (4, 3, 2)
    >>> BALD(ensemble, batch_size=5).fit(X[:20], y[:20]).query(X[20:]).shape
    (5,)
    """

    # Fixed committee settings (not parameters): n_members copies of
    # ``estimator``, each fitted on the whole labelled set.
    estimators = None
    bootstrap = False
    _fit_prefer = "processes"

    def __init__(self, estimator=None, *, n_members=5, n_jobs=None, random_state=None):
        self.estimator = estimator
        self.n_members = n_members
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _default_member(self):
        raise ValueError(
            "estimator is required: DeepEnsembleClassifier copies a network "
            "(e.g. skactive.deep.MCDropoutClassifier) n_members times."
        )
