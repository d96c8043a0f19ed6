"""Audit questions in plain language: what an internal auditor asks and looks for, for each
requirement clause (4.1 to 10.2) and each Annex A control of ISO/IEC 42001.

Written by the OpenAIMS project in its own words (the standard's text is not reproduced). An
audit's checklist copies the questions of each clause and control in its scope when the item is
made, so a later change here never rewrites a past audit.
"""

from __future__ import annotations

QUESTIONS: dict[str, tuple[str, ...]] = {
    # --- Clause 4: context ------------------------------------------------------------------
    "4.1": (
        "Is there a dated analysis of the internal and external issues that affect the AI "
        "management system, and does it say which roles the organization plays with AI "
        "(developer, provider, user, ...)?",
        "When was it last reviewed, and did a change in law, market or technology lead to an "
        "update?",
    ),
    "4.2": (
        "Who are the interested parties of the AI activities, and what does each of them expect?",
        "Which of those expectations has the organization decided to treat as requirements, and "
        "where is that decision recorded?",
    ),
    "4.3": (
        "Is the scope of the AIMS written down, naming the units, sites, AI systems and "
        "activities it covers and any it leaves out, with the reason?",
        "Does the scope follow from the issues and interested parties identified?",
    ),
    "4.4": (
        "Can the organization show the processes of its AI management system and how they "
        "interact, and that they are run and improved rather than only described?",
    ),
    # --- Clause 5: leadership ---------------------------------------------------------------
    "5.1": (
        "What has top management done this cycle that shows it leads the AIMS: decisions taken, "
        "resources granted, reviews chaired, policies approved?",
        "Are AIMS requirements part of the normal business processes rather than a side project?",
    ),
    "5.2": (
        "Is there an approved AI policy that fits the organization's purpose, sets a frame for "
        "AI objectives and commits to meet requirements and to keep improving?",
        "Is the policy available to staff and, where appropriate, to interested parties, and do "
        "the people interviewed know it?",
    ),
    "5.3": (
        "Are the roles, responsibilities and authorities of the AIMS assigned to named people and "
        "communicated?",
        "Who reports to top management on how the AIMS performs, and when did they last do so?",
    ),
    # --- Clause 6: planning -----------------------------------------------------------------
    "6.1.1": (
        "Has the organization determined the risks and opportunities it must address so that "
        "the AIMS achieves what it intends, and planned actions for them?",
        "Are criteria set to tell acceptable AI risks from those that need treatment?",
    ),
    "6.1.2": (
        "Is there a defined AI risk assessment process that gives consistent, comparable "
        "results, and is it applied to every AI system in scope?",
        "For a sampled risk: are its likelihood, consequences and owner recorded and justified?",
    ),
    "6.1.3": (
        "Has a treatment been chosen for every risk that needs one, and compared with the Annex "
        "A controls so that none needed was missed?",
        "Is the Statement of Applicability complete, with a justification for each control "
        "included or excluded, and are treatment plans approved by the risk owners?",
    ),
    "6.1.4": (
        "Is there a defined process to assess the impact of AI systems on individuals, groups "
        "and society, and is it used before deployment?",
        "Do the results feed the risk assessment?",
    ),
    "6.2": (
        "Are AI objectives set, measurable where practicable and consistent with the AI policy?",
        "For a sampled objective: what will be done, with which resources, by whom, by when, and "
        "how will the results be judged?",
    ),
    "6.3": (
        "When the AIMS was changed this cycle, was the change planned: its purpose, its "
        "consequences, the resources and the responsibilities?",
    ),
    # --- Clause 7: support ------------------------------------------------------------------
    "7.1": (
        "Has the organization determined and provided the people, budget, tools and data the "
        "AIMS needs? Where a shortfall was found, what was done?",
    ),
    "7.2": (
        "Are the competences needed for roles that affect AI performance defined, and is there "
        "evidence that the people in those roles have them?",
        "Where training or another action closed a gap, was its effect checked?",
    ),
    "7.3": (
        "Do the people interviewed know the AI policy, how their work contributes to the AIMS "
        "and what happens if requirements are not met?",
    ),
    "7.4": (
        "Has the organization decided what it communicates about the AIMS, when, to whom and "
        "how, and can it show that communication took place?",
    ),
    "7.5.1": (
        "Does the AIMS hold the documented information the standard asks for and what the "
        "organization itself decided it needs?",
    ),
    "7.5.2": (
        "Do documents carry an identification, an owner, a version and an approval, in a "
        "suitable format?",
    ),
    "7.5.3": (
        "Are documents available where needed, protected, kept under version control and "
        "retained or disposed of as decided?",
        "Is documented information of external origin identified and controlled?",
    ),
    # --- Clause 8: operation ----------------------------------------------------------------
    "8.1": (
        "Are the processes that deliver the AI systems planned and controlled against criteria, "
        "with records that show they were followed?",
        "Are outsourced processes and planned changes under control?",
    ),
    "8.2": (
        "Were AI risk assessments carried out at the planned intervals and when significant "
        "changes happened, and are the results kept?",
    ),
    "8.3": (
        "Is the risk treatment plan being carried out, and is its effectiveness checked? Were "
        "new risks found during treatment assessed in turn?",
    ),
    "8.4": (
        "Were impact assessments done at the planned intervals and after significant changes "
        "to the AI systems, and are the results kept?",
    ),
    # --- Clause 9: performance evaluation ---------------------------------------------------
    "9.1": (
        "What does the organization monitor and measure about the AIMS and its AI systems, with "
        "which methods, how often, and who analyses the results?",
        "Is there evidence of the results, and of decisions taken on them?",
    ),
    "9.2.1": (
        "Are internal audits carried out at planned intervals and do they establish whether the "
        "AIMS conforms and is effectively implemented?",
        "Were the auditors objective: did anyone audit their own work?",
    ),
    "9.2.2": (
        "Is there an audit programme with frequency, methods, responsibilities and reporting, "
        "that takes account of the importance of processes and earlier results?",
        "Were the results of audits reported to the relevant managers and kept as evidence?",
    ),
    "9.3.1": (
        "Does top management review the AIMS at planned intervals? When was the last review, and "
        "who attended?",
    ),
    "9.3.2": (
        "Did the last management review consider every input the standard lists: earlier "
        "actions, changes in issues and in interested parties' needs, performance, audit "
        "results, nonconformities and opportunities for improvement?",
    ),
    "9.3.3": (
        "Did the review lead to recorded decisions on improvement and on changes to the AIMS, "
        "with actions, owners and dates, and are those actions followed up?",
    ),
    # --- Clause 10: improvement -------------------------------------------------------------
    "10.1": (
        "What has the organization improved in the suitability, adequacy or effectiveness of "
        "the AIMS this cycle, and how does it find opportunities to improve?",
    ),
    "10.2": (
        "For a sampled nonconformity: was it contained, was its root cause found, were "
        "corrective actions taken and was their effectiveness reviewed before closure?",
        "Are nonconformities of a similar kind looked for elsewhere?",
    ),
    # --- Annex A.2: policies ----------------------------------------------------------------
    "A.2.2": (
        "Is there an AI policy approved by management that covers how the organization develops "
        "and uses AI?",
    ),
    "A.2.3": (
        "Has the organization checked where the AI policy meets other policies (security, "
        "privacy, quality, ethics, HR) and resolved any conflicts?",
    ),
    "A.2.4": (
        "Is the AI policy reviewed at planned intervals and after significant changes? Show the "
        "last review, its outcome and who took part.",
    ),
    # --- A.3: internal organization ---------------------------------------------------------
    "A.3.2": (
        "Are the AI roles and responsibilities defined and given to people, including for each "
        "AI system in the sample?",
    ),
    "A.3.3": (
        "Can staff and others raise concerns about AI systems, confidentially if they wish, and "
        "is each concern recorded and followed up?",
    ),
    # --- A.4: resources ---------------------------------------------------------------------
    "A.4.2": (
        "For a sampled AI system: are the resources it needs at each stage of its life cycle "
        "identified and recorded?",
    ),
    "A.4.3": (
        "Are the data resources of the sampled AI systems documented: what data, from where, "
        "for what use?",
    ),
    "A.4.4": (
        "Are the tools used to build, test and run the sampled AI systems documented, with "
        "their versions?",
    ),
    "A.4.5": (
        "Are the computing and system resources of the sampled AI systems documented, including "
        "those provided by third parties?",
    ),
    "A.4.6": (
        "Are the people and competences the sampled AI systems depend on documented, for each "
        "stage from development to decommissioning?",
    ),
    # --- A.5: impact assessment -------------------------------------------------------------
    "A.5.2": (
        "Is there a defined process to assess what an AI system's use, and its foreseeable "
        "misuse, could do to individuals, groups and society? When is it triggered?",
    ),
    "A.5.3": (
        "Are the results of impact assessments recorded and kept for the decided period? Show "
        "the assessment of a sampled system.",
    ),
    "A.5.4": (
        "Does the impact assessment of a sampled system consider fairness, rights, safety, "
        "privacy and wellbeing of the people it affects, over its whole life cycle?",
    ),
    "A.5.5": (
        "Does the impact assessment of a sampled system consider wider effects on society, such "
        "as the environment, the economy or access to services?",
    ),
    # --- A.6: AI system life cycle ----------------------------------------------------------
    "A.6.1.2": (
        "Are there documented objectives for responsible development, and are measures to meet "
        "them built into the development process?",
    ),
    "A.6.1.3": (
        "Are the processes for designing and developing AI systems responsibly written down, "
        "and were they followed for the sampled system?",
    ),
    "A.6.2.2": (
        "Were the requirements of the sampled AI system (or of its last major change) specified "
        "and documented before it was built?",
    ),
    "A.6.2.3": (
        "Is the design and development of the sampled system documented in line with its "
        "requirements and the organization's objectives?",
    ),
    "A.6.2.4": (
        "Were verification and validation of the sampled system planned with acceptance criteria "
        "set beforehand, and do the records show the criteria were met before use?",
    ),
    "A.6.2.5": (
        "Was there a deployment plan for the sampled system, and was it checked that the "
        "requirements were met before it went live?",
    ),
    "A.6.2.6": (
        "Is it defined how the sampled system is run, monitored, repaired and updated, and do "
        "monitoring records show it is done?",
    ),
    "A.6.2.7": (
        "Has the organization decided what technical documentation users, partners and "
        "regulators need about the sampled system, and is it available to them?",
    ),
    "A.6.2.8": (
        "Is event logging switched on for the sampled system while it is in use, and are the "
        "logs kept and reviewable?",
    ),
    # --- A.7: data --------------------------------------------------------------------------
    "A.7.2": (
        "Are there data management processes for the data used to develop and improve AI "
        "systems, and are they applied to the sampled system's data?",
    ),
    "A.7.3": (
        "Is it documented how the data of the sampled system was acquired and selected, "
        "including the rights to use it?",
    ),
    "A.7.4": (
        "Are data quality requirements defined for the sampled system, and is there evidence "
        "that its training and operational data meet them?",
    ),
    "A.7.5": (
        "Can the organization trace where the sampled system's data came from and what was done "
        "to it over its life?",
    ),
    "A.7.6": (
        "Are the data preparation steps and methods of the sampled system documented, with the "
        "reasons they were chosen?",
    ),
    # --- A.8: information for interested parties --------------------------------------------
    "A.8.2": (
        "Do users of the sampled system get the information they need to use it properly: "
        "purpose, limits, how to read its outputs?",
    ),
    "A.8.3": (
        "Can interested parties report adverse effects of the sampled system, and are such "
        "reports handled?",
    ),
    "A.8.4": (
        "Is there a plan for telling users and other parties about incidents with AI systems, "
        "and was it followed for the incidents of the period?",
    ),
    "A.8.5": (
        "Has the organization determined what it must report about its AI systems to regulators "
        "and other parties, and did it meet those obligations?",
    ),
    # --- A.9: use of AI systems -------------------------------------------------------------
    "A.9.2": (
        "Are there documented processes for using AI systems responsibly, and are they followed "
        "by the teams that use the sampled system?",
    ),
    "A.9.3": (
        "Are objectives for responsible use of AI systems identified and documented, and are "
        "they monitored?",
    ),
    "A.9.4": (
        "Is the sampled system used only as intended and as its documentation describes? Look "
        "for uses outside that purpose.",
    ),
    # --- A.10: third parties ----------------------------------------------------------------
    "A.10.2": (
        "Are responsibilities over the AI life cycle split and agreed with partners, suppliers "
        "and customers, for example in contracts?",
    ),
    "A.10.3": (
        "Is there a process to make sure what suppliers provide for AI systems fits the "
        "organization's approach to responsible AI? Show it applied to a supplier.",
    ),
    "A.10.4": (
        "Does the organization's approach to responsible AI take account of its customers' "
        "expectations and needs, and how does it learn them?",
    ),
}


def questions_for(ref: str) -> tuple[str, ...]:
    """The questions for a clause or control id; a general question for an id not listed."""
    return QUESTIONS.get(
        ref,
        (f"Is requirement {ref} met, and what records show that it is effectively implemented?",),
    )


def as_text(ref: str) -> str:
    """The questions for ``ref``, one per line, as a checklist item stores them."""
    return "\n".join(questions_for(ref))
