"""Every message the user reads, in French (default) and English, in one place.

Why a module rather than gettext catalogs: two languages, a few hundred strings, and no build step
to compile ``.mo`` files; the tests check that both languages have the same keys and the same
``{placeholders}``. The language is chosen once per process by ``set_language`` (the CLI reads
``--lang`` or ``SOVDIAG_LANG``); the report templates have their own wording in the templates.
"""

from __future__ import annotations

import os
from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
ENV_LANGUAGE = "SOVDIAG_LANG"

FR: dict[str, str] = {
    # --- command line
    "cli.help": "Diagnostic de dépendance numérique des collectivités : inventaire, score de "
    "souveraineté et rapport PDF.",
    "cli.epilog": "Documentation : README.md. Codes de sortie : 0 succès, 1 entrée invalide ou "
    "diagnostic impossible, 2 erreur d'utilisation.",
    "cli.opt.version": "Affiche la version et quitte.",
    "cli.opt.help": "Affiche cette aide et quitte.",
    "cli.typer.default": "[par défaut : {}]",
    "cli.typer.required": "[obligatoire]",
    "cli.typer.arguments": "Arguments",
    "cli.typer.options": "Options",
    "cli.typer.commands": "Commandes",
    "cli.typer.error": "Erreur",
    "cli.typer.aborted": "Abandon.",
    "cli.typer.try_help": "Essayez « {command_path} {help_option} » pour obtenir de l'aide.",
    "cli.opt.lang": "Langue de l'interface et du rapport : fr ou en (variable SOVDIAG_LANG).",
    "cli.opt.debug": "Affiche la trace complète des erreurs (pour signaler un bogue).",
    "cli.opt.framework": "Fichier de référentiel à utiliser à la place de celui livré.",
    "cli.opt.weights": "Profil de pondération (identifiant défini dans le référentiel).",
    "cli.arg.inventory": "Fichier d'inventaire YAML de la collectivité.",
    "cli.metavar.file": "FICHIER",
    "cli.validate.help": "Vérifie un inventaire : format, domaines, réponses au référentiel.",
    "cli.validate.ok": "{file} est valide : {services} services, {answers} réponses.",
    "cli.score.help": "Calcule les scores de souveraineté et les niveaux de chaque service.",
    "cli.score.opt.json": "Écrit les résultats complets en JSON dans ce fichier (« - » pour la sortie standard).",
    "cli.score.written": "Résultats écrits dans {file}.",
    "cli.report.help": "Produit le rapport de diagnostic (PDF ou HTML).",
    "cli.report.opt.output": "Fichier à écrire (par défaut rapport.pdf ou rapport.html).",
    "cli.report.opt.format": "Format du rapport : pdf ou html.",
    "cli.report.opt.date": "Date d'édition imprimée sur le rapport (AAAA-MM-JJ ; par défaut aujourd'hui). "
    "Les mêmes entrées et la même date donnent le même rapport.",
    "cli.report.written": "Rapport écrit dans {file} ({pages} pages).",
    "cli.report.written_html": "Rapport HTML écrit dans {file}.",
    "cli.schema.help": "Exporte le schéma JSON d'un format de fichier (pour les éditeurs).",
    "cli.schema.arg.kind": "Format : inventory, framework ou domains.",
    "cli.schema.opt.output": "Fichier à écrire (par défaut la sortie standard).",
    "cli.error": "Erreur",
    "cli.interrupted": "Interrompu.",
    "cli.unknown_language": "Langue inconnue « {lang} » : choisissez fr ou en.",
    "cli.unknown_schema": "Format inconnu « {kind} » : choisissez parmi {choices}.",
    "cli.unknown_format": "Format de rapport inconnu « {fmt} » : choisissez pdf ou html.",
    "cli.output_is_input": "Le fichier de sortie {file} est le fichier d'entrée : choisissez un autre nom.",
    # --- score table
    "table.title": "{name} — {services} services, référentiel {framework} {version}, profil « {profile} »",
    "table.service": "Service",
    "table.supplier": "Fournisseur",
    "table.domain": "Domaine",
    "table.score": "Score",
    "table.prudent": "Prudent",
    "table.level": "Niveau",
    "table.binding": "Critère limitant",
    "table.coverage": "Réponses",
    "table.summary": "Score moyen {score} (prudent {prudent}) ; couverture des questions {coverage} ; "
    "niveaux : {levels}.",
    "table.no_level": "non évalué",
    # --- errors
    "error.file_not_found": "{file} : fichier introuvable.",
    "error.is_directory": "{file} est un dossier, pas un fichier.",
    "error.file_not_readable": "{file} : lecture impossible ({reason}).",
    "error.file_too_big": "{file} : fichier trop volumineux ({size} Mo ; limite {limit} Mo).",
    "error.not_utf8": "{file}:{line} : le fichier n'est pas encodé en UTF-8 (octet {byte}). Enregistrez-le en UTF-8.",
    "error.binary_file": "{file} : ce n'est pas un fichier texte.",
    "error.empty_file": "{file} : le fichier est vide.",
    "error.validation_failed": "{file} : {count} problème(s) :",
    "error.write_failed": "{file} : écriture impossible ({reason}).",
    "error.unknown_profile": "Profil de pondération inconnu « {profile} » : profils disponibles : {choices}.",
    "error.framework_mismatch": "L'inventaire indique le référentiel « {wanted} », mais le référentiel chargé "
    "est « {loaded} ».",
    "error.render_failed": "Le rapport n'a pas pu être produit : {reason}",
    "error.missing_data": "Donnée introuvable : {path}. L'installation de sovdiag est incomplète.",
    # --- problems in files
    "problem.yaml_syntax": "syntaxe YAML invalide : {detail}",
    "problem.alias": "les ancres et alias YAML (& et *) ne sont pas acceptés dans ce fichier",
    "problem.duplicate_key": "la clé « {key} » apparaît deux fois",
    "problem.too_deep": "imbrication trop profonde (plus de {limit} niveaux)",
    "problem.not_mapping": "le document doit être un dictionnaire de clés (collectivite, diagnostic, services…), "
    "pas {found}",
    "problem.expected_found": "attendu : {expected} ; trouvé : {found}",
    "problem.missing": "champ obligatoire manquant",
    "problem.extra": "champ inconnu{hint}",
    "problem.extra_hint": " (vouliez-vous dire « {suggestion} » ?)",
    "problem.duplicate_service": "identifiant de service « {id} » déjà utilisé (ligne {first})",
    "problem.unknown_domain": "domaine inconnu « {domain} »{hint} ; voir la liste : sovdiag schema domains",
    "problem.siren_checksum": "le SIREN « {siren} » n'a pas une clé de contrôle valide",
    "problem.epci_kind_missing": "un EPCI doit préciser epci_kind (metropole, communaute_urbaine, "
    "communaute_agglomeration, communaute_communes, etablissement_public_territorial)",
    "problem.epci_kind_not_epci": "epci_kind ne s'applique qu'à kind: epci",
    "problem.contract_dates": "la date de fin ({end}) précède la date de début ({start})",
    "problem.unknown_criterion": "critère « {criterion} » inconnu du référentiel {framework}{hint}",
    "problem.unknown_option": "réponse « {answer} » inconnue pour le critère {criterion} ; "
    "réponses possibles : {choices}",
    "problem.duplicate_id": "identifiant « {id} » déjà utilisé",
    "problem.unknown_source": "source « {source} » inconnue (ni déclarée dans sources, ni « ours »)",
    "problem.ours_without_note": "une référence « ours » doit expliquer son choix (note)",
    "problem.options_not_ordered": "les options doivent aller de la pire à la meilleure : la valeur ou le "
    "plafond de « {option} » est inférieur à celui de l'option précédente",
    "problem.cap_out_of_range": "plafond {cap} hors des niveaux définis (0 à {max})",
    "problem.levels_not_sequential": "les niveaux doivent être numérotés 0, 1, 2… dans l'ordre",
    "problem.condition_empty": "une condition doit porter sur deployment, data_any, criticality ou answer",
    "problem.condition_unknown_criterion": "la condition vise le critère « {criterion} », inconnu ou "
    "placé après ce critère",
    "problem.condition_unknown_option": "la condition vise l'option « {option} », inconnue du critère {criterion}",
    "problem.weights_axes": "les poids doivent couvrir exactement les axes {axes} (manquants : {missing} ; "
    "en trop : {extra})",
    "problem.weights_zero": "la somme des poids est nulle",
    "problem.unknown_default_profile": "profil par défaut « {profile} » inconnu",
    "problem.reserved_option": "« {option} » est réservé (je ne sais pas / non applicable)",
    # --- expected values (validation)
    "expected.string": "un texte",
    "expected.string_quoted": "un texte (mettez la valeur entre guillemets)",
    "expected.integer": "un nombre entier",
    "expected.number": "un nombre",
    "expected.boolean": "oui/non (true/false)",
    "expected.date": "une date AAAA-MM-JJ",
    "expected.list": "une liste",
    "expected.mapping": "un dictionnaire de clés",
    "expected.one_of": "une des valeurs {choices}",
    "expected.min_length": "au moins {min} caractère(s) ou élément(s)",
    "expected.max_length": "au plus {max} caractères ou éléments",
    "expected.ge": "un nombre supérieur ou égal à {limit}",
    "expected.le": "un nombre inférieur ou égal à {limit}",
    "expected.gt": "un nombre strictement supérieur à {limit}",
    "expected.identifier": "un identifiant en minuscules (lettres, chiffres, « - », « _ », « . »)",
    "expected.siren": "un SIREN de 9 chiffres entre guillemets",
    "expected.departement": "un code de département entre guillemets "
    "(« 01 » à « 95 », « 2A », « 2B », « 971 » à « 976 »)",
    "expected.pattern": "une valeur de la forme {pattern}",
    "expected.format_version": "la version de format 1",
    "expected.value": "une valeur valide ({detail})",
    "found.nothing": "rien",
    # --- vocabulary labels (shared by the terminal and the report)
    "kind.commune": "Commune",
    "kind.epci": "Établissement public de coopération intercommunale",
    "kind.departement": "Département",
    "kind.region": "Région",
    "kind.collectivite_unique": "Collectivité à statut particulier",
    "kind.syndicat": "Syndicat",
    "kind.etablissement_public": "Établissement public local",
    "epci.metropole": "Métropole",
    "epci.communaute_urbaine": "Communauté urbaine",
    "epci.communaute_agglomeration": "Communauté d'agglomération",
    "epci.communaute_communes": "Communauté de communes",
    "epci.etablissement_public_territorial": "Établissement public territorial",
    "deployment.saas": "Logiciel en ligne (SaaS)",
    "deployment.hosted": "Hébergé par un tiers",
    "deployment.on_premises": "Dans les locaux de la collectivité",
    "deployment.iaas_paas": "Infrastructure ou plateforme en nuage (IaaS/PaaS)",
    "criticality.low": "Faible",
    "criticality.medium": "Moyenne",
    "criticality.high": "Élevée",
    "criticality.critical": "Critique",
    "data.public": "Données publiques",
    "data.internal": "Données internes",
    "data.personal": "Données personnelles",
    "data.sensitive_personal": "Données personnelles sensibles",
    "data.health": "Données de santé",
    "data.particular_sensitivity": "Données d'une sensibilité particulière",
    "data.archives": "Archives publiques",
    # --- levels and misc
    "level.none": "—",
}

EN: dict[str, str] = {
    "cli.help": "Digital dependence diagnostic for French local authorities: inventory, sovereignty "
    "score and PDF report.",
    "cli.epilog": "Documentation: README.md. Exit codes: 0 success, 1 invalid input or diagnostic "
    "not produced, 2 usage error.",
    "cli.opt.version": "Show the version and exit.",
    "cli.opt.help": "Show this message and exit.",
    "cli.typer.default": "[default: {}]",
    "cli.typer.required": "[required]",
    "cli.typer.arguments": "Arguments",
    "cli.typer.options": "Options",
    "cli.typer.commands": "Commands",
    "cli.typer.error": "Error",
    "cli.typer.aborted": "Aborted.",
    "cli.typer.try_help": "Try '{command_path} {help_option}' for help.",
    "cli.opt.lang": "Language of the interface and report: fr or en (SOVDIAG_LANG variable).",
    "cli.opt.debug": "Show full error tracebacks (to report a bug).",
    "cli.opt.framework": "Framework file to use instead of the built-in one.",
    "cli.opt.weights": "Weight profile (an id defined in the framework).",
    "cli.arg.inventory": "The collectivité's YAML inventory file.",
    "cli.metavar.file": "FILE",
    "cli.validate.help": "Check an inventory: format, domains, answers to the framework.",
    "cli.validate.ok": "{file} is valid: {services} services, {answers} answers.",
    "cli.score.help": "Compute the sovereignty scores and levels of every service.",
    "cli.score.opt.json": 'Write the full results as JSON to this file ("-" for standard output).',
    "cli.score.written": "Results written to {file}.",
    "cli.report.help": "Produce the diagnostic report (PDF or HTML).",
    "cli.report.opt.output": "File to write (default rapport.pdf or rapport.html).",
    "cli.report.opt.format": "Report format: pdf or html.",
    "cli.report.opt.date": "Issue date printed on the report (YYYY-MM-DD; default: today). "
    "The same inputs and the same date give the same report.",
    "cli.report.written": "Report written to {file} ({pages} pages).",
    "cli.report.written_html": "HTML report written to {file}.",
    "cli.schema.help": "Export the JSON Schema of a file format (for editors).",
    "cli.schema.arg.kind": "Format: inventory, framework or domains.",
    "cli.schema.opt.output": "File to write (default: standard output).",
    "cli.error": "Error",
    "cli.interrupted": "Interrupted.",
    "cli.unknown_language": 'Unknown language "{lang}": choose fr or en.',
    "cli.unknown_schema": 'Unknown format "{kind}": choose one of {choices}.',
    "cli.unknown_format": 'Unknown report format "{fmt}": choose pdf or html.',
    "cli.output_is_input": "The output file {file} is the input file: choose another name.",
    "table.title": '{name} — {services} services, framework {framework} {version}, profile "{profile}"',
    "table.service": "Service",
    "table.supplier": "Supplier",
    "table.domain": "Domain",
    "table.score": "Score",
    "table.prudent": "Prudent",
    "table.level": "Level",
    "table.binding": "Binding criterion",
    "table.coverage": "Answers",
    "table.summary": "Mean score {score} (prudent {prudent}); question coverage {coverage}; levels: {levels}.",
    "table.no_level": "not assessed",
    "error.file_not_found": "{file}: file not found.",
    "error.is_directory": "{file} is a directory, not a file.",
    "error.file_not_readable": "{file}: cannot read ({reason}).",
    "error.file_too_big": "{file}: file too large ({size} MB; limit {limit} MB).",
    "error.not_utf8": "{file}:{line}: the file is not UTF-8 encoded (byte {byte}). Save it as UTF-8.",
    "error.binary_file": "{file}: not a text file.",
    "error.empty_file": "{file}: the file is empty.",
    "error.validation_failed": "{file}: {count} problem(s):",
    "error.write_failed": "{file}: cannot write ({reason}).",
    "error.unknown_profile": 'Unknown weight profile "{profile}": available profiles: {choices}.',
    "error.framework_mismatch": 'The inventory names the framework "{wanted}" but the loaded framework is "{loaded}".',
    "error.render_failed": "The report could not be produced: {reason}",
    "error.missing_data": "Data not found: {path}. The sovdiag installation is incomplete.",
    "problem.yaml_syntax": "invalid YAML syntax: {detail}",
    "problem.alias": "YAML anchors and aliases (& and *) are not accepted in this file",
    "problem.duplicate_key": 'the key "{key}" appears twice',
    "problem.too_deep": "nesting too deep (more than {limit} levels)",
    "problem.not_mapping": "the document must be a mapping of keys (collectivite, diagnostic, services…), not {found}",
    "problem.expected_found": "expected: {expected}; found: {found}",
    "problem.missing": "required field missing",
    "problem.extra": "unknown field{hint}",
    "problem.extra_hint": ' (did you mean "{suggestion}"?)',
    "problem.duplicate_service": 'service id "{id}" already used (line {first})',
    "problem.unknown_domain": 'unknown domain "{domain}"{hint}; see the list: sovdiag schema domains',
    "problem.siren_checksum": 'the SIREN "{siren}" has an invalid check digit',
    "problem.epci_kind_missing": "an EPCI must give epci_kind (metropole, communaute_urbaine, "
    "communaute_agglomeration, communaute_communes, etablissement_public_territorial)",
    "problem.epci_kind_not_epci": "epci_kind only applies to kind: epci",
    "problem.contract_dates": "the end date ({end}) is before the start date ({start})",
    "problem.unknown_criterion": 'criterion "{criterion}" unknown to the framework {framework}{hint}',
    "problem.unknown_option": 'answer "{answer}" unknown for criterion {criterion}; possible answers: {choices}',
    "problem.duplicate_id": 'id "{id}" already used',
    "problem.unknown_source": 'source "{source}" unknown (neither declared in sources nor "ours")',
    "problem.ours_without_note": 'an "ours" reference must explain its choice (note)',
    "problem.options_not_ordered": 'options must go from worst to best: the value or cap of "{option}" is '
    "lower than the previous option's",
    "problem.cap_out_of_range": "cap {cap} outside the defined levels (0 to {max})",
    "problem.levels_not_sequential": "levels must be numbered 0, 1, 2… in order",
    "problem.condition_empty": "a condition must test deployment, data_any, criticality or answer",
    "problem.condition_unknown_criterion": 'the condition names criterion "{criterion}", unknown or placed '
    "after this criterion",
    "problem.condition_unknown_option": 'the condition names option "{option}", unknown to criterion {criterion}',
    "problem.weights_axes": "weights must cover exactly the axes {axes} (missing: {missing}; extra: {extra})",
    "problem.weights_zero": "the weights sum to zero",
    "problem.unknown_default_profile": 'default profile "{profile}" unknown',
    "problem.reserved_option": '"{option}" is reserved (unknown / not applicable)',
    "expected.string": "a text",
    "expected.string_quoted": "a text (put the value in quotes)",
    "expected.integer": "a whole number",
    "expected.number": "a number",
    "expected.boolean": "yes/no (true/false)",
    "expected.date": "a date YYYY-MM-DD",
    "expected.list": "a list",
    "expected.mapping": "a mapping of keys",
    "expected.one_of": "one of {choices}",
    "expected.min_length": "at least {min} character(s) or item(s)",
    "expected.max_length": "at most {max} characters or items",
    "expected.ge": "a number greater than or equal to {limit}",
    "expected.le": "a number less than or equal to {limit}",
    "expected.gt": "a number greater than {limit}",
    "expected.identifier": 'a lowercase identifier (letters, digits, "-", "_", ".")',
    "expected.siren": "a 9-digit SIREN in quotes",
    "expected.departement": 'a département code in quotes ("01" to "95", "2A", "2B", "971" to "976")',
    "expected.pattern": "a value of the form {pattern}",
    "expected.format_version": "format version 1",
    "expected.value": "a valid value ({detail})",
    "found.nothing": "nothing",
    "kind.commune": "Municipality",
    "kind.epci": "Inter-municipal body (EPCI)",
    "kind.departement": "Département",
    "kind.region": "Region",
    "kind.collectivite_unique": "Local authority with special status",
    "kind.syndicat": "Joint syndicate",
    "kind.etablissement_public": "Local public body",
    "epci.metropole": "Metropolis",
    "epci.communaute_urbaine": "Urban community",
    "epci.communaute_agglomeration": "Agglomeration community",
    "epci.communaute_communes": "Community of municipalities",
    "epci.etablissement_public_territorial": "Territorial public body",
    "deployment.saas": "Online software (SaaS)",
    "deployment.hosted": "Hosted by a third party",
    "deployment.on_premises": "On the authority's premises",
    "deployment.iaas_paas": "Cloud infrastructure or platform (IaaS/PaaS)",
    "criticality.low": "Low",
    "criticality.medium": "Medium",
    "criticality.high": "High",
    "criticality.critical": "Critical",
    "data.public": "Public data",
    "data.internal": "Internal data",
    "data.personal": "Personal data",
    "data.sensitive_personal": "Sensitive personal data",
    "data.health": "Health data",
    "data.particular_sensitivity": "Data of particular sensitivity",
    "data.archives": "Public archives",
    "level.none": "—",
}

_CATALOGS = {"fr": FR, "en": EN}
_language = os.environ.get(ENV_LANGUAGE, DEFAULT_LANGUAGE).strip().lower()
if _language not in _CATALOGS:
    _language = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _language
    if lang not in _CATALOGS:
        raise ValueError(lang)
    _language = lang


def get_language() -> str:
    return _language


def translate(message_key: str, /, **params: Any) -> str:
    """The message ``message_key`` in the current language, with ``params`` filled in."""
    template = _CATALOGS[_language].get(message_key) or FR.get(message_key) or message_key
    return template.format(**params) if params else template


t = translate
