"""The rapid review of a CSPR case (§2.4; R8–R11): starting it, immediate actions, the meeting and
recommendation, sending it to the National Panel and the Panel's response, and its report
(.docx/.pdf). Agency summaries are asked for through ``reviews.requests``."""
