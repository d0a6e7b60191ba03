"""Field collection (SPEC §13), Indonesian and English: the labels, hints and messages of the
phone form (``tular template --xlsform``, both languages side by side in the form itself),
and the web export page's section on the form's IKM list (``ikm.csv``)."""

FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        # ---------------------------------------------------------------- the phone form
        "form.title": "Catat pengajaran",
        "form.required": "Wajib diisi.",
        "form.yes": "Ya",
        "form.no": "Tidak",
        "form.teaching": "Pengajaran: siapa belajar keterampilan apa dari siapa",
        "form.learner_known": "Apakah yang BELAJAR sudah ada di daftar IKM?",
        "form.learner_known_hint": "Pilih Tidak bila namanya tidak ditemukan di daftar, lalu isi datanya di "
                                   "bagian IKM baru.",
        "form.learner_id": "Yang BELAJAR",
        "form.search_hint": "Ketik sebagian nama atau kelurahan untuk mencari.",
        "form.new_ikm": "IKM baru (yang belajar)",
        "form.name": "Nama pemilik / pelaku usaha",
        "form.kelurahan": "Kelurahan",
        "form.business_name": "Nama usaha (boleh kosong)",
        "form.teacher_id": "Yang MENGAJAR",
        "form.teacher_not_learner": "Yang mengajar tidak boleh sama dengan yang belajar.",
        "form.skill": "Keterampilan yang diajarkan",
        "form.date": "Tanggal belajar",
        "form.date_hint": "Kapan keterampilan itu diajarkan (perkiraan pun boleh).",
        "form.no_future_date": "Tanggal tidak boleh di masa depan.",
        "form.source": "Sumber informasi (boleh kosong)",
        "form.source_hint": "Mis. kunjungan pendamping, cerita IKM sendiri.",
        "form.note": "Catatan (boleh kosong)",
        # ---------------------------------------------------------------- the export page
        "web.nav_export": "Ekspor",
        "web.export_title": "Ekspor data",
        "web.odk_register_title": "Daftar IKM untuk formulir di ponsel",
        "web.odk_register_lead": "Berkas ikm.csv untuk formulir catat-pengajaran (ODK Collect / KoboCollect): "
                                 "petugas mencari yang belajar dan yang mengajar berdasarkan nama dan kelurahan. "
                                 "Isinya kode IKM, nama (kelurahan) dan kelurahan — tanpa nomor telepon, tanpa "
                                 "IKM yang data pribadinya sudah dihapus. Unggah bersama formulir ke server "
                                 "pengumpulan data.",
        "web.odk_register_privacy": "Daftar ini memuat nama orang (UU 27/2022): kirimkan kepada petugas hanya "
                                    "kelurahan wilayahnya, dan utamakan server ODK Central atau KoboToolbox milik "
                                    "kantor sendiri.",
        "web.odk_register_area": "Kelurahan",
        "web.odk_register_all": "Semua kelurahan",
        "web.odk_register_download": "Unduh ikm.csv",
    },
    "en": {
        # ---------------------------------------------------------------- the phone form
        "form.title": "Record a teaching",
        "form.required": "Required.",
        "form.yes": "Yes",
        "form.no": "No",
        "form.teaching": "Teaching: who learned which skill from whom",
        "form.learner_known": "Is the LEARNER already in the IKM list?",
        "form.learner_known_hint": "Choose No if the name is not in the list, then fill in their details under "
                                   "New IKM.",
        "form.learner_id": "The LEARNER",
        "form.search_hint": "Type part of the name or the kelurahan to search.",
        "form.new_ikm": "New IKM (the learner)",
        "form.name": "Owner's name",
        "form.kelurahan": "Kelurahan",
        "form.business_name": "Business name (optional)",
        "form.teacher_id": "The TEACHER",
        "form.teacher_not_learner": "The teacher cannot be the learner.",
        "form.skill": "Skill taught",
        "form.date": "Date learned",
        "form.date_hint": "When the skill was taught (an estimate is fine).",
        "form.no_future_date": "The date cannot be in the future.",
        "form.source": "Source (optional)",
        "form.source_hint": "E.g. the officer's visit, the IKM's own account.",
        "form.note": "Note (optional)",
        # ---------------------------------------------------------------- the export page
        "web.nav_export": "Export",
        "web.export_title": "Export data",
        "web.odk_register_title": "IKM list for the phone form",
        "web.odk_register_lead": "The ikm.csv file for the record-a-teaching form (ODK Collect / KoboCollect): "
                                 "officers search the learner and the teacher by name and kelurahan. It holds the "
                                 "IKM id, name (kelurahan) and kelurahan — no phone numbers, and no IKM whose "
                                 "personal data was erased. Upload it with the form to the collection server.",
        "web.odk_register_privacy": "This list holds people's names (Law 27/2022): send each officer only the "
                                    "kelurahan of their area, and prefer the office's own ODK Central or "
                                    "KoboToolbox server.",
        "web.odk_register_area": "Kelurahan",
        "web.odk_register_all": "All kelurahan",
        "web.odk_register_download": "Download ikm.csv",
    },
}
