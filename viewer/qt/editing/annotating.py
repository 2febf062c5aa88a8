"""Turning what the analyst does in the text into undoable edits.

Keys 1–9 label the selection with the first nine labels; Ctrl+L opens a
searchable label picker (with a note); Ctrl+E adds a missed entity; Delete
removes the analyst's label under the cursor, or rejects the entity there.
Attributions: Ctrl+T adds the selection as one, with its kind and speaker;
Ctrl+K sets the speaker of the attribution at the cursor, Ctrl+Shift+K its
kind; Ctrl+Shift+N marks it not an attribution. A speaker picked or typed is
resolved as the model's are (``viewer.core.names.speaker_names``) and stored as the
resolved name, at a mention of it in the text when there is one.
The context menu offers everything, including the corrections of entities
and attributions.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu, QWidget

from viewer.core.model import Annotation, Entity, FinalEntity, FinalQuote, QuoteKind
from viewer.core.names.speaker_names import SpeakerChoice, resolve_speaker, stored_choice
from viewer.core.store.annotations import annotations_for_article, get_annotation, new_annotation
from viewer.core.store.articles import StoredArticle
from viewer.core.store.labels import Label
from viewer.qt.dialogs.attribution import (
    KIND_NAMES,
    AddAttributionDialog,
    ArticleContext,
    SpeakerDialog,
    in_quotation_marks,
)
from viewer.qt.dialogs.labels import LabelPicker
from viewer.qt.editing.edits import Editor
from viewer.qt.panels.legend import swatch
from viewer.qt.text.article_view import HighlightedText, attribution_group
from viewer.qt.theme import kind_style, known_labels, label_name, label_style


class Annotating(QObject):
    def __init__(
        self,
        window: QWidget,
        text: HighlightedText,
        editor: Editor,
        article: Callable[[], StoredArticle | None],
        labels: Callable[[], list[Label]],
        say: Callable[[str], None],
    ):
        super().__init__(window)
        self.window, self.text, self.editor = window, text, editor
        self.article, self.labels, self.say = article, labels, say
        text.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        text.customContextMenuRequested.connect(self._context_menu)
        for n in range(1, 10):
            self._shortcut(str(n), lambda _checked=False, n=n: self.label_by_number(n))
        self.pick_action = self._shortcut("Ctrl+L", self.pick_label, "Label Selection…")
        self.entity_action = self._shortcut("Ctrl+E", self.pick_entity, "Add Entity…")
        self.delete_action = self._shortcut(
            QKeySequence.StandardKey.Delete, self.delete_at_cursor, "Delete / Reject at Cursor"
        )
        self.attribution_action = self._shortcut(
            "Ctrl+T", self.pick_attribution, "Add &Attribution…"
        )
        self.speaker_action = self._shortcut("Ctrl+K", self.pick_speaker, "Set &Speaker…")
        self.kind_action = self._shortcut(
            "Ctrl+Shift+K", self.pick_kind, "Change Attribution &Kind…"
        )
        self.not_attribution_action = self._shortcut(
            "Ctrl+Shift+N", self.not_attribution_here, "&Not an Attribution"
        )
        self._last_entity_label: str | None = None  # Add entity offers it next time
        # Tests (and scripts) look at a dialog before it is run: called with each one.
        self.dialog_opened: Callable[[QWidget], None] | None = None

    def _shortcut(self, key, slot, name: str = "") -> QAction:
        # Shortcuts live on the text: digits typed in the tag box stay digits.
        action = QAction(name or str(key), self.text)
        action.setShortcut(key)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.text.addAction(action)
        return action

    # -- building annotations ----------------------------------------------

    def _new(self, start: int, end: int, **values) -> Annotation | None:
        art = self.article()
        if art is None:
            return None
        return new_annotation(art.id, art.text, art.text_hash, start, end, **values)

    def _selection(self) -> tuple[int, int] | None:
        start, end = self.text.selected_span()
        art = self.article()
        if art is None:
            self.say("No article is shown: pick one in the list first")
            return None
        if start == end:
            self.say("Select some text first")
            return None
        # Trim spaces and line breaks a drag selection often catches.
        while start < end and art.text[start].isspace():
            start += 1
        while end > start and art.text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def label_by_number(self, n: int) -> None:
        labels = self.labels()
        if n > len(labels):
            self.say(f"No label {n}: the label set has {len(labels)}")
            return
        self.label_selection(labels[n - 1].name)

    def label_selection(self, label: str, note: str | None = None) -> bool:
        span = self._selection()
        if span is None:
            return False
        art = self.article()
        same = [
            a
            for a in annotations_for_article(self.editor.db(), art.id)
            if a.kind == "span" and a.label == label and (a.start, a.end) == span
            and a.annotator == self.editor.annotator  # another annotator's: their own work
        ]  # fmt: skip
        if same:  # the same label twice on one span means nothing more: say so instead
            self.say(f"“{_short(art.text[span[0] : span[1]])}” is labelled {label} already")
            return False
        ann = self._new(*span, kind="span", action="added", label=label, note=note or None)
        ok = ann is not None and self.editor.add_annotation(ann, f"Label “{label}”")
        if ok:
            self.say(f"Labelled “{ann.text[:40]}” as {label}")
            self._collapse_selection()  # so the new label's colour is visible
        return ok

    def _collapse_selection(self) -> None:
        cursor = self.text.textCursor()
        cursor.setPosition(cursor.selectionEnd())
        self.text.setTextCursor(cursor)

    def pick_label(self) -> None:
        if self._selection() is None:
            return
        picker = LabelPicker(self.labels(), self.window)
        if picker.exec() and picker.chosen():
            self.label_selection(picker.chosen(), picker.note.text().strip() or None)

    def entity_label_for(self, span: tuple[int, int]) -> str:
        """The label Add entity offers: of an entity the selection overlaps, else the
        one added last, else Person."""
        start, end = span
        for e in self.text.analysis.entities:
            if e.start < end and start < e.end:
                return e.label
        return self._last_entity_label or "PERSON"

    def pick_entity(self) -> None:
        span = self._selection()
        if span is None:
            return
        labels = known_labels()
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Add entity")
        dialog.setLabelText(f"Entity label for “{_short(self.article().text[span[0] : span[1]])}”:")
        dialog.setComboBoxItems([label_name(label) for label in labels])
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(label_name(self.entity_label_for(span)))
        if self._run(dialog):
            by_name = {label_name(label): label for label in labels}
            self.add_entity(span, by_name[dialog.textValue()])

    def add_entity(self, span: tuple[int, int], label: str) -> bool:
        """A missed entity; over a model entity of the same span it is a decision on that
        one instead (accepted, or relabelled), never a duplicate."""
        self._last_entity_label = label
        same = next(
            (e for e in self.text.analysis.entities if (e.start, e.end) == tuple(span)), None
        )
        if isinstance(same, FinalEntity) and same.origin != "analyst":
            if same.label != label:
                return self.decide_entity(same, "relabelled", label)
            if same.decision == "accepted":
                self.say(f"“{_short(same.text)}” is accepted as {label_name(label)} already")
                return False
            return self.decide_entity(same, "accepted")
        if same is not None and same.label == label:
            self.say(f"“{_short(same.text)}” is a {label_name(label)} entity already")
            return False
        ann = self._new(*span, kind="entity", action="added", label=label)
        ok = ann is not None and self.editor.add_annotation(ann, f"Add {label_name(label)} entity")
        if ok:
            self.say(f"Added “{_short(ann.text)}” as {label_name(label)}")
        return ok

    # -- corrections of model entities -------------------------------------

    def _model_span(self, entity: FinalEntity) -> tuple[int, int, str]:
        """The model's own span and label behind an entity as shown."""
        if entity.annotation_id is not None and entity.decision == "resized":
            ann = get_annotation(self.editor.db(), entity.annotation_id)
            if ann is not None and ann.model_start is not None:
                return ann.model_start, ann.model_end, ann.model_label or entity.label
        return entity.start, entity.end, entity.model_label or entity.label

    def decide_entity(
        self,
        entity: FinalEntity,
        action: str,
        label: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> bool:
        """Accept, reject, relabel or resize an entity; one decision per entity.
        The status bar says what was done (not the previous edit's message)."""
        ok = self._decide_entity(entity, action, label, span)
        if ok:
            what = f"“{_short(entity.text)}”"
            art = self.article()
            self.say(
                {
                    "accepted": f"Accepted {what} as {label_name(entity.label)}",
                    "rejected": f"Rejected {what} ({label_name(entity.label)})",
                    "relabelled": f"Relabelled {what} as {label_name(label or entity.label)}",
                    "resized": f"Resized {what} to “{_short(art.text[span[0] : span[1]])}”"
                    if span and art is not None
                    else f"Resized {what}",
                }.get(action, f"{action.capitalize()} {what}")
            )
        return ok

    def _decide_entity(
        self,
        entity: FinalEntity,
        action: str,
        label: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> bool:
        db = self.editor.db()
        existing = (
            get_annotation(db, entity.annotation_id) if entity.annotation_id is not None else None
        )
        if entity.origin == "analyst" and existing is not None:
            # The analyst's own entity: change or remove that annotation.
            if action == "rejected":
                return self.editor.delete_annotation(existing)
            if action == "relabelled":
                return self.editor.update_annotation(existing, "Relabel entity", label=label)
            if action == "resized" and span:
                fresh = self._new(*span, kind="entity", action="added", label=existing.label)
                return self.editor.update_annotation(
                    existing, "Resize entity", **_anchor_fields(fresh)
                )
            return False
        model_start, model_end, model_label = self._model_span(entity)
        start, end = span or (model_start, model_end)
        if action == "resized":
            label = label or entity.label
        elif action != "relabelled":  # accepted / rejected keep the model's label
            label = model_label
        fresh = self._new(
            start,
            end,
            kind="entity",
            action=action,
            label=label,
            model_label=model_label,
            model_start=model_start,
            model_end=model_end,
        )
        if fresh is None:
            return False
        text = f"{action.capitalize()} entity “{entity.text[:30]}”"
        if existing is not None:
            return self.editor.update_annotation(
                existing, text, action=action, label=label, **_anchor_fields(fresh)
            )
        return self.editor.add_annotation(fresh, text)

    # -- attributions: add, not an attribution, kind, speaker ---------------------

    def _existing(self, annotation_id: int | None) -> Annotation | None:
        return None if annotation_id is None else get_annotation(self.editor.db(), annotation_id)

    def _context(self, at: int) -> ArticleContext | None:
        art = self.article()
        if art is None:
            return None
        view = self.text.view
        entities = [Entity(e.start, e.end, e.label, e.text) for e in view.entities]
        return ArticleContext(art.text, entities, [fq.quote for fq in view.quotes], at)

    def _run(self, dialog: QDialog) -> bool:
        if self.dialog_opened is not None:
            self.dialog_opened(dialog)
        return bool(dialog.exec())

    def attribution_here(self) -> int | None:
        """The attribution at the cursor, else the one hovered or clicked (pinned)."""
        pos = self.text._map.from_qt(self.text.textCursor().selectionStart())
        hit = self.text.hit_at(pos)
        if hit.quote is not None:
            return hit.quote
        active = self.text.active_quote
        return active if active is not None and active < len(self.text.view.quotes) else None

    def _attribution_or_say(self) -> int | None:
        index = self.attribution_here()
        if index is None:
            self.say("Put the cursor in an attribution (or click one) first")
        return index

    def pick_attribution(self) -> None:
        """Add the selection as an attribution: kind and speaker in a dialog, one edit."""
        span = self._selection()
        art = self.article()
        if span is None or art is None:
            return
        start, end, quoted = in_quotation_marks(art.text, *span)
        if any((fq.quote.start, fq.quote.end) == (start, end) for fq in self.text.view.quotes):
            self.say("That is an attribution already: change its kind or speaker instead")
            return
        context = self._context(start)
        dialog = AddAttributionDialog(
            context, art.text[start:end], "direct" if quoted else "indirect", self.window
        )
        if self._run(dialog):
            self.add_attribution((start, end), *dialog.values())

    def add_attribution(
        self, span: tuple[int, int], kind: QuoteKind, speaker: SpeakerChoice | None
    ) -> bool:
        """One annotation: the content, its kind (label) and speaker (None: no source)."""
        if kind == "no-source":
            speaker = None  # nobody named, by definition
        elif kind == "indirect" and speaker is None:
            kind = "no-source"  # reported speech with nobody named
        ann = self._new(*span, kind="quote", action="added", label=kind, **_speaker(speaker))
        ok = ann is not None and self.editor.add_annotation(ann, "Add attribution")
        if ok:
            who = speaker.label() if speaker else "no source"
            self.say(f"Added a {kind} attribution of {who}")
            self._collapse_selection()
        return ok

    def not_an_attribution(self, index: int) -> bool:
        """Every piece of the attribution is not one (the analyst's own: removed)."""
        what = _short(self.text.view.quotes[index].quote.text)
        ok = self._not_an_attribution(index)
        if ok:
            self.say(f"Marked “{what}” as not an attribution")
        return ok

    def _not_an_attribution(self, index: int) -> bool:
        fq = self.text.view.quotes[index]
        existing = self._existing(fq.annotation_id)
        if fq.origin == "analyst" and existing is not None:
            return self.editor.delete_annotation(existing)
        quotes = self.text.analysis.quotes
        pieces = [self.text.view.quotes[i].quote for i in attribution_group(quotes, index)]
        anns = [
            self._new(q.start, q.end, kind="quote", action="not_quote", model_start=q.start,
                      model_end=q.end)
            for q in pieces
        ]  # fmt: skip
        if any(a is None for a in anns):
            return False
        return self.editor.add_annotations(anns, "Mark as not an attribution")

    def not_attribution_here(self) -> None:
        index = self._attribution_or_say()
        if index is not None:
            self.not_an_attribution(index)

    def change_kind(self, index: int, kind: QuoteKind) -> bool:
        what = _short(self.text.view.quotes[index].quote.text)
        ok = self._change_kind(index, kind)
        if ok:
            self.say(f"“{what}” is {kind_style(kind).words} now")
        return ok

    def _change_kind(self, index: int, kind: QuoteKind) -> bool:
        fq = self.text.view.quotes[index]
        if fq.quote.kind == kind:
            self.say(f"It is {kind} already")
            return False
        if kind == "indirect" and fq.quote.speaker_text is None:
            self.say("Reported speech naming nobody is no-source: set its speaker instead")
            return False
        text = f"Change kind to {kind}"
        existing = self._existing(fq.annotation_id)
        if fq.origin == "analyst" and existing is not None:
            changes = {"label": kind}
            if kind == "no-source":
                changes |= _speaker(None)
            return self.editor.update_annotation(existing, text, **changes)
        existing = self._existing(fq.kind_annotation_id)
        if existing is not None:
            return self.editor.update_annotation(existing, text, label=kind)
        q = fq.quote
        ann = self._new(
            q.start, q.end, kind="quote", action="kind_changed", label=kind,
            model_start=q.start, model_end=q.end,
        )  # fmt: skip
        return ann is not None and self.editor.add_annotation(ann, text)

    def pick_kind(self) -> None:
        """A menu of the four kinds at the cursor (keys D, M, R, N)."""
        index = self._attribution_or_say()
        if index is None:
            return
        menu = self._kind_menu(QMenu(self.text), index)
        if self.dialog_opened is not None:
            self.dialog_opened(menu)
        menu.exec(self.text.viewport().mapToGlobal(self.text.cursorRect().bottomLeft()))

    def _kind_menu(self, menu: QMenu, index: int) -> QMenu:
        current = self.text.view.quotes[index].quote.kind
        for kind, name in KIND_NAMES.items():
            action = menu.addAction(
                "&" + name, lambda _checked=False, kind=kind: self.change_kind(index, kind)
            )
            action.setCheckable(True)
            action.setChecked(kind == current)
        return menu

    def set_speaker_to(self, index: int, speaker: SpeakerChoice | None) -> bool:
        """The attribution's speaker (None: no source), as the dialog stores it."""
        what = _short(self.text.view.quotes[index].quote.text)
        ok = self._set_speaker_to(index, speaker)
        if ok:
            who = speaker.name if speaker is not None else "no source"
            self.say(f"Speaker of “{what}”: {who}")
        return ok

    def _set_speaker_to(self, index: int, speaker: SpeakerChoice | None) -> bool:
        fq = self.text.view.quotes[index]
        fields = _speaker(speaker)
        text = f"Set speaker: {speaker.name}" if speaker else "Set no source"
        existing = self._existing(fq.annotation_id)
        if fq.origin == "analyst" and existing is not None:
            kind = existing.label or "direct"
            if speaker is not None and kind == "no-source":
                fields["label"] = "indirect"
            elif speaker is None and kind == "indirect":
                fields["label"] = "no-source"
            return self.editor.update_annotation(existing, text, **fields)
        existing = self._existing(fq.speaker_annotation_id)
        if existing is not None:
            return self.editor.update_annotation(existing, text, **fields)
        q = fq.quote
        ann = self._new(
            q.start, q.end, kind="quote", action="speaker_changed", model_start=q.start,
            model_end=q.end, **fields,
        )  # fmt: skip
        return ann is not None and self.editor.add_annotation(ann, text)

    def set_speaker(self, index: int, span: tuple[int, int]) -> bool:
        """A mention selected in the text as the speaker, resolved: the selection itself
        when it is the name, else a mention of the name it resolves to."""
        context = self._context(self.text.view.quotes[index].quote.start)
        if context is None:
            return False
        mention = context.text[span[0] : span[1]]
        resolved = resolve_speaker(mention, context.text, context.entities, context.quotes,
                                   context.at)  # fmt: skip
        if resolved.name is None:
            return False
        if resolved.name.lower() == mention.strip().lower():
            speaker = SpeakerChoice(mention, resolved.anonymous, *span)
        else:
            speaker = stored_choice(resolved.name, context.text, span[1])
        return self.set_speaker_to(index, speaker)

    def pick_speaker(self) -> None:
        """Set the speaker of the attribution at the cursor in a dialog."""
        index = self._attribution_or_say()
        if index is not None:
            self.speaker_dialog(index)

    def speaker_dialog(self, index: int) -> None:
        q = self.text.view.quotes[index].quote
        context = self._context(q.start)
        if context is None:
            return
        dialog = SpeakerDialog(context, q.text, q.speaker_name or q.speaker_text, self.window)
        if self._run(dialog):
            self.set_speaker_to(index, dialog.picker.choice())

    # -- the analyst's own labels ---------------------------------------------

    def edit_note(self, ann: Annotation) -> None:
        note, ok = QInputDialog.getMultiLineText(
            self.window, "Note", f"Note on “{ann.text[:60]}”:", ann.note or ""
        )
        if ok and note != (ann.note or ""):
            if self.editor.update_annotation(ann, "Edit note", note=note or None):
                self.say(f"Note on “{_short(ann.text)}” saved" if note else "Note removed")

    def relabel_span(self, ann: Annotation) -> None:
        picker = LabelPicker(self.labels(), self.window, "Change label")
        picker.note.setText(ann.note or "")
        if picker.exec() and picker.chosen():
            if self.editor.update_annotation(
                ann, "Change label", label=picker.chosen(), note=picker.note.text().strip() or None
            ):
                self.say(f"Relabelled “{_short(ann.text)}” as {picker.chosen()}")

    def delete_label_of(self, ann: Annotation) -> bool:
        ok = self.editor.delete_annotation(ann)
        if ok:
            self.say(f"Deleted your label {ann.label} on “{_short(ann.text)}”")
        return ok

    def delete_at_cursor(self) -> None:
        cursor = self.text.textCursor()
        pos = self.text._map.from_qt(cursor.selectionStart())
        hit = self.text.hit_at(pos)
        if hit.annotation is not None:
            self.delete_label_of(hit.annotation)
        elif isinstance(hit.entity, FinalEntity):
            self.decide_entity(hit.entity, "rejected")
        else:
            self.say("Nothing of yours or the model's here to delete")

    # -- the context menu -------------------------------------------------------

    def _context_menu(self, point) -> None:
        cursor = self.text.cursorForPosition(point)
        hit = self.text.hit_at(self.text._map.from_qt(cursor.position()))
        start, end = self.text.selected_span()
        has_selection = start < end
        menu = QMenu(self.text)
        if has_selection:
            self._selection_entries(menu, hit)
        if isinstance(hit.entity, FinalEntity):
            self._entity_entries(menu, hit.entity, has_selection)
        if hit.quote is not None:
            self._attribution_entries(menu, hit.quote)
        if hit.annotation is not None:
            ann = hit.annotation
            menu.addSection(f"Your label: {ann.label}")
            menu.addAction("Edit note…", lambda: self.edit_note(ann))
            menu.addAction("Change label…", lambda: self.relabel_span(ann))
            menu.addAction("Delete label", lambda: self.delete_label_of(ann))
        menu.addSeparator()
        copy = menu.addAction("Copy", self.text.copy)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setEnabled(has_selection)
        menu.exec(self.text.viewport().mapToGlobal(point))

    def _selection_entries(self, menu: QMenu, hit) -> None:
        label_menu = menu.addMenu("Label as")
        for i, lab in enumerate(self.labels()):
            action = label_menu.addAction(
                swatch(QColor(lab.color)),
                lab.name,
                lambda _checked=False, name=lab.name: self.label_selection(name),
            )
            if i < 9:
                action.setShortcut(str(i + 1))
        label_menu.addSeparator()
        label_menu.addAction(self.pick_action)
        entity_menu = menu.addMenu("Add entity")
        span = self._selection()
        if span is not None:
            default = self.entity_label_for(span)
            labels = known_labels()
            for label in [default, *(lab for lab in labels if lab != default)]:
                action = entity_menu.addAction(
                    swatch(label_style(label).background),
                    label_name(label),
                    lambda _checked=False, label=label, span=span: self.add_entity(span, label),
                )
                if label == default:
                    entity_menu.setDefaultAction(action)
                    entity_menu.addSeparator()
        menu.addAction(self.attribution_action)
        pinned = self.text.active_quote
        if pinned is not None and span is not None and pinned < len(self.text.view.quotes):
            quote = self.text.view.quotes[pinned].quote.text
            menu.addAction(
                f"Set as speaker of “{_short(quote, 32)}”",
                lambda: self.set_speaker(pinned, span),
            )

    def _attribution_entries(self, menu: QMenu, index: int) -> None:
        fq: FinalQuote = self.text.view.quotes[index]
        q = fq.quote
        who = q.speaker_name or q.speaker_text or "nobody named"
        menu.addSection(f"Attribution: {q.kind}, {who[:30]}")
        menu.addAction("Set speaker…", lambda: self.speaker_dialog(index))
        self._kind_menu(menu.addMenu("Change kind"), index)
        menu.addAction("Not an attribution", lambda: self.not_an_attribution(index))

    def _entity_entries(self, menu: QMenu, entity: FinalEntity, has_selection: bool) -> None:
        menu.addSection(f"Entity: {entity.text[:30]} ({label_name(entity.label)})")
        menu.addAction("Accept", lambda: self.decide_entity(entity, "accepted"))
        menu.addAction("Reject", lambda: self.decide_entity(entity, "rejected"))
        relabel = menu.addMenu("Relabel as")
        for label in known_labels():
            if label != entity.label:
                relabel.addAction(
                    swatch(label_style(label).background),
                    label_name(label),
                    lambda _checked=False, label=label: self.decide_entity(
                        entity, "relabelled", label
                    ),
                )
        if has_selection:
            span = self._selection()
            menu.addAction(
                "Resize to the selection", lambda: self.decide_entity(entity, "resized", span=span)
            )


def _short(text: str, limit: int = 40) -> str:
    """The first words of a text, on one line, for a status message or a menu."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _speaker(speaker: SpeakerChoice | None) -> dict:
    """The speaker fields of a quote decision; all None for no source."""
    if speaker is None:
        return {"speaker_start": None, "speaker_end": None, "speaker_text": None}
    return {
        "speaker_start": speaker.start,
        "speaker_end": speaker.end,
        "speaker_text": speaker.name,
    }


def _anchor_fields(ann: Annotation | None) -> dict:
    if ann is None:
        return {}
    return {
        name: getattr(ann, name)
        for name in ("start", "end", "text", "left_context", "right_context", "text_hash")
    }
