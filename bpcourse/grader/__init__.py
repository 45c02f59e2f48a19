"""The exercise grader: one source notebook gives the exercise, the solution and the tests.

- ``validate``: nbgrader schema-v3 cell metadata of a source notebook.
- ``generate``: exercises from solutions (``python -m bpcourse.grader.generate solutions exercises``).
- ``notebook``: questions, answers, marked regions; ``rebuild`` a submission from the source.
- ``runner``: grade one submission (worker process, limited kernel, checks judged here).
- ``batch``: a folder of submissions into one CSV, a row as each finishes; ``cli``: ``bpcourse grade``.
- ``cluster``: the batch's engine, one Dask task per submission (a local cluster or ``--cluster``).
- ``worker`` / ``_launch_kernel``: the only code that runs next to a learner's kernel.

The grader never imports the course's engines to run a learner's code: that code runs only in the
worker's kernel. See docs/grading.md for what is isolated and what is not.
"""
