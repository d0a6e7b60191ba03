"""The annual report's texts, Indonesian and English: the document, its tables, charts and
methodology, and the labels the web pages use too."""

REPORT_MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        # ---------------------------------------------------------------- document
        "doc.title": "Laporan Dampak Tahunan {year}",
        "doc.subtitle": "Pelatihan berantai IKM: seberapa jauh keterampilan menular",
        "doc.office": "Dinas Koperasi, Perindustrian dan Perdagangan (Diskopindag) Kota Malang",
        "doc.edition_internal": "Edisi internal",
        "doc.edition_internal_note": "Memuat nama pribadi (UU 27/2022 tentang Pelindungan Data Pribadi): "
                                     "hanya untuk petugas, jangan disebarluaskan.",
        "doc.edition_public": "Edisi publik",
        "doc.edition_public_note": "Tanpa nama pribadi selain daftar pengajar teratas; daftar tindak lanjut "
                                   "hanya berupa jumlah per kelurahan.",
        "doc.as_of": "Data per {date}",
        "doc.as_of_year_end": "Semua angka dihitung per 31 Desember {year}, akhir tahun laporan.",
        "doc.as_of_year_to_date": "Tahun {year} masih berjalan: semua angka dihitung sampai hari ini, {date}, "
                                  "belum sampai 31 Desember.",
        "doc.report_date": "Tanggal laporan: {date}",
        "doc.skills": "Keterampilan: {skills}",
        "doc.page": "Halaman",
        "doc.of": "dari",
        "doc.footer": "Laporan Dampak Tahunan {year} · {edition}",
        "doc.contents": "Daftar isi",
        "doc.glance": "Sekilas",
        "doc.generated_by": "Dibuat dengan tular dari data yang tercatat; setiap angka dapat ditelusuri dengan "
                            "perintah tular reach dan tular broken untuk tanggal yang sama.",
        # ---------------------------------------------------------------- shared labels
        "label.skill": "Keterampilan",
        "label.seeds": "Dilatih",
        "label.reached": "Terjangkau",
        "label.total": "Total",
        "label.multiplier": "Pengganda",
        "label.max_depth": "Generasi terdalam",
        "label.coverage": "Cakupan",
        "label.cost_per_ikm": "Biaya per IKM",
        "label.budget": "Anggaran",
        "label.generation": "Generasi",
        "label.ikm": "IKM",
        "label.ratio": "Rasio ke generasi berikut",
        "label.active_share": "Ikut mengajar",
        "label.kecamatan": "Kecamatan",
        "label.kelurahan": "Kelurahan",
        "label.imported": "Dari luar wilayah",
        "label.population": "IKM tercatat",
        "label.trained_any": "Dilatih (IKM)",
        "label.total_any": "IKM menguasai (berbeda)",
        "label.name": "Nama",
        "label.ikm_id": "ID IKM",
        "label.onward_reach": "Jangkauan lanjutan",
        "label.training": "Pelatihan",
        "label.kind": "Jenis",
        "label.detail": "Keterangan",
        "label.days_dormant": "Hari tanpa kegiatan",
        "label.learned_on": "Dilatih / belajar",
        "label.count": "Jumlah",
        "label.change": "Perubahan",
        "label.all_skills": "Semua keterampilan (IKM berbeda)",
        "label.city": "Kota",
        "label.sum": "Jumlah",
        # ---------------------------------------------------------------- glance / summary
        "glance.total": "IKM menguasai keterampilan",
        "glance.total_note": "{trained} dilatih Diskopindag, {learned_only} belajar dari sesama",
        "glance.multiplier": "Pengganda",
        "glance.multiplier_note": "IKM yang menguasai per IKM yang dilatih",
        "glance.coverage": "Cakupan IKM kota",
        "glance.coverage_note": "dari {population} IKM di kota",
        "glance.cost": "Biaya per IKM",
        "glance.cost_note": "anggaran pelatihan {budget} dibagi total IKM",
        "summary.title": "Ringkasan",
        "summary.lead": "Per {date}, {trained} IKM telah menyelesaikan pelatihan Diskopindag dan {learned_only} IKM "
                        "lain belajar dari mereka, langsung atau lewat murid-murid mereka: {total} IKM menguasai "
                        "sedikitnya satu keterampilan, {coverage} dari {population} IKM di kota. Setiap IKM yang "
                        "dilatih menjadi {multiplier} IKM yang menguasai keterampilan.",
        "summary.lead_no_seeds": "Per {date} belum ada IKM yang menyelesaikan pelatihan keterampilan yang dipilih, "
                                 "sehingga belum ada jangkauan untuk dilaporkan.",
        "summary.cost": "Anggaran {trainings} pelatihan yang menghasilkan peserta, {budget}, berarti {cost} per IKM "
                        "yang menguasai keterampilan.",
        "summary.cost_none": "Tidak ada anggaran pelatihan yang tercatat, sehingga biaya per IKM tidak dapat "
                             "dihitung.",
        "summary.change": "Dibanding 31 Desember {previous_year}: {change} IKM ({percent}); pengganda dari "
                          "{previous_multiplier} menjadi {multiplier}.",
        "summary.change_from_zero": "Pada 31 Desember {previous_year} belum ada IKM yang tercatat menguasai "
                                    "keterampilan ini.",
        "summary.table": "Jangkauan per keterampilan per {date}",
        "summary.programmes": "Pada {year} berakhir {count} pelatihan; hasilnya dijelaskan di bagian Program "
                              "tahun {year}.",
        "summary.no_programmes": "Tidak ada pelatihan keterampilan yang dipilih yang berakhir pada {year}.",
        "summary.without_data": "Belum ada data untuk: {skills}.",
        "summary.table_note": "Total = dilatih + terjangkau. Baris terakhir menghitung setiap IKM satu kali, "
                              "walau menguasai beberapa keterampilan.",
        # ---------------------------------------------------------------- year on year
        "yoy.title": "Perubahan dari tahun sebelumnya",
        "yoy.lead": "Keadaan per 31 Desember {previous_year} dibanding per {date}. Pertambahan total adalah IKM "
                    "yang dilatih atau mulai menguasai keterampilan selama {year}.",
        "yoy.chart": "Total IKM per keterampilan: {previous} dan {now}",
        "yoy.percent": "Perubahan (%)",
        # ---------------------------------------------------------------- programmes
        "prog.title": "Program tahun {year}",
        "prog.lead": "Pelatihan yang berakhir pada {year}, masing-masing sebagai satu angkatan: peserta yang "
                     "menyelesaikannya (dilatih) dan IKM yang belajar dari mereka sampai {date}.",
        "prog.none": "Tidak ada pelatihan keterampilan yang dipilih yang berakhir pada {year}.",
        "prog.chart": "IKM per generasi, per pelatihan",
        "prog.target": "Sasaran",
        "prog.period": "{start} – {end}",
        # ---------------------------------------------------------------- per skill
        "skill.title": "Jangkauan per keterampilan",
        "skill.lead": "Untuk setiap keterampilan: peserta pelatihan (generasi 0), IKM yang belajar dari mereka per "
                      "generasi, dan sebaran per kecamatan, per {date}. Batang kosong: keadaan 31 Desember "
                      "{previous_year}.",
        "skill.figures": "{seeds} dilatih · {reached} terjangkau · total {total} · pengganda {multiplier} · "
                         "generasi terdalam {max_depth} · cakupan {coverage} · biaya per IKM {cost}",
        "skill.chart_now": "per {date}",
        "skill.chart_previous": "per 31 Des {previous_year}",
        "skill.chart_y": "IKM",
        "skill.by_kecamatan": "Per kecamatan",
        # ---------------------------------------------------------------- areas
        "area.title": "Jangkauan per wilayah",
        "area.lead": "IKM yang menguasai sedikitnya satu keterampilan, menurut kelurahan tempat IKM berada. "
                     "Cakupan = IKM yang menguasai dibagi IKM tercatat di kelurahan itu.",
        "area.picture": "Peta jangkauan: IKM per kelurahan, dikelompokkan per kecamatan. Persen di ujung batang: "
                        "cakupan kelurahan itu.",
        "area.picture_trained": "dilatih",
        "area.picture_learned": "belajar dari sesama",
        "area.picture_x": "IKM yang menguasai sedikitnya satu keterampilan",
        "area.nothing": "Per {date} belum ada IKM yang menguasai keterampilan yang dipilih.",
        "area.kecamatan_table": "Per kecamatan",
        "area.kelurahan_table": "Per kelurahan: total IKM per keterampilan",
        "area.kelurahan_note": "Angka per keterampilan = dilatih + terjangkau keterampilan itu. Kolom IKM "
                               "menguasai menghitung setiap IKM satu kali.",
        # ---------------------------------------------------------------- top teachers
        "top.title": "Pengajar teratas",
        "top.lead": "Untuk setiap keterampilan, {count} IKM dengan jangkauan lanjutan terbesar: berapa IKM "
                    "belajar keterampilan itu dari mereka, langsung atau lewat murid-murid mereka, per {date}. "
                    "Mereka calon narasumber pelatihan berikutnya.",
        "top.none": "Belum ada IKM yang mengajarkan keterampilan yang dipilih.",
        # ---------------------------------------------------------------- outcomes
        "outcome.title": "Hasil usaha per generasi",
        "outcome.lead": "Apakah murid yang belajar tiga langkah dari pelatihan berhasil seperti peserta pelatihan? "
                        "Bagian IKM tiap generasi yang mencatat sedikitnya satu hasil usaha (pameran, jualan online, "
                        "penjualan pertama, sertifikat, karyawan, omzet) sesudah belajar keterampilan itu, per {date}.",
        "outcome.generation": "Generasi {generation}",
        "outcome.of": "{with_outcome} dari {count}",
        "outcome.note": "Hasil tanpa keterampilan tercatat berlaku untuk semua keterampilan. Per jenis hasil, "
                        "kelurahan dan kohort: tular outcomes --skill KETERAMPILAN --kind JENIS --after-learning.",
        "outcome.none": "Belum ada hasil usaha yang tercatat untuk keterampilan yang dipilih.",
        # ---------------------------------------------------------------- next cohort
        "plan.title": "Rencana angkatan berikutnya",
        "plan.lead": "Usulan untuk pelatihan {year} dengan {seats} kursi per keterampilan, dari data per {date}: "
                     "kelurahan dengan kebutuhan terbesar (jumlah IKM dikurangi yang sudah dilatih atau tertular, "
                     "lalu rantai putus di sana), narasumber pendamping dan murid dorman yang layak dikunjungi.",
        "plan.population": "IKM",
        "plan.total": "Sudah",
        "plan.unmet": "Belum terjangkau",
        "plan.broken": "Rantai putus",
        "plan.narasumber": "Narasumber",
        "plan.narasumber_reason": "menularkan ke {reach} IKM, {outcomes} hasil usaha",
        "plan.narasumber_described": "seorang pelaku {skill} di {kelurahan}",
        "top.described": "Pelaku {skill} di {kelurahan} yang menularkan keterampilannya kepada {reach} IKM",
        "label.who": "Siapa",
        "plan.visits": "Kunjungan",
        "plan.visit_reason": "dorman {days} hari",
        "plan.visits_public": "Edisi publik: jumlah kunjungan per kelurahan; nama ada di edisi internal.",
        "plan.none": "Belum ada data untuk menyusun rencana.",
        "plan.how": "Urutan dan alasannya: tular plan --skill KETERAMPILAN --seats N (lihat README).",
        # ---------------------------------------------------------------- follow-up
        "follow.title": "Tindak lanjut: rantai yang putus",
        "follow.lead": "Dengan jendela {days} hari sebelum {date}: siapa yang perlu dikunjungi petugas lapangan "
                       "agar mata rantai tidak putus.",
        "follow.counts": "Temuan per kelurahan",
        "follow.none": "Tidak ada rantai yang putus.",
        "follow.newly": "Baru dorman {year}",
        "follow.see_appendix": "Nama-nama yang perlu dikunjungi: lihat {title}.",
        "follow.more": "… dan {count} lainnya",
        "follow.full_list": "Daftar lengkap: tular broken --skill KETERAMPILAN --as-of {as_of} --json.",
        "follow.public": "Edisi publik hanya memuat jumlah per kelurahan. Daftar nama ada di edisi internal.",
        "visits.title": "Lampiran: daftar kunjungan",
        "visits.lead": "Per kelurahan: peserta pelatihan yang belum mengajar siapa pun, dan IKM yang menjadi dorman "
                       "selama {year} (belajar antara {since} dan {until}, lalu {days} hari tanpa mengajar) — yang "
                       "paling mungkin mau mengajar lagi. Paling banyak {limit} orang per kelurahan, yang paling "
                       "baru lebih dulu.",
        "kind.dead_seed": "Peserta belum mengajar",
        "kind.dead_seed_long": "Peserta pelatihan yang selesai {days} hari atau lebih sebelum tanggal data dan "
                               "belum mengajar siapa pun.",
        "kind.dead_seed_short": "Peserta",
        "kind.dormant_leaf_short": "Dorman",
        "kind.stalled_lineage": "Rantai macet",
        "kind.stalled_lineage_long": "Peserta pelatihan yang rantainya (dia dan semua muridnya) tidak mengajar "
                                     "siapa pun dalam {days} hari terakhir.",
        "kind.dormant_leaf": "Dorman",
        "kind.dormant_leaf_long": "IKM yang belajar {days} hari atau lebih sebelum tanggal data dan belum "
                                  "mengajar siapa pun: ke sini petugas lapangan dikirim.",
        "kind.orphan": "Yatim",
        "kind.probable_duplicate": "Kemungkinan orang yang sama",
        "kind.probable_duplicate_long": "Dua ID atau lebih dengan nama yang sama di kelurahan yang sama, atau "
                                        "nomor telepon yang sama.",
        "kind.out_of_order": "Urutan tanggal keliru",
        "kind.out_of_order_long": "Pengajaran yang bertanggal sebelum pengajarnya sendiri mempelajari "
                                  "keterampilan itu.",
        "kind.learner_is_trainee": "Murid yang juga peserta",
        "kind.learner_is_trainee_long": "Murid yang juga menyelesaikan pelatihan keterampilan yang sama; ia "
                                        "dihitung sebagai peserta (generasi 0), bukan terjangkau.",
        "kind.orphan_long": "IKM dengan catatan pengajaran yang tidak terhubung ke peserta pelatihan mana pun "
                            "(asal-usulnya tidak tercatat); satu temuan per kelompok.",
        "kind.cycle": "Pengajaran berputar",
        "kind.cycle_long": "Pengajaran satu keterampilan yang kembali ke IKM yang mengajarkannya (melanggar aturan "
                           "data). Hapus pengajaran yang keliru — biasanya murid dan pengajar tertukar. Sampai "
                           "saat itu, perhitungan tidak mengikuti pengajaran ke IKM yang sudah terjangkau.",
        "kind.duplicate_teaching": "Pengajaran tercatat ganda",
        "kind.duplicate_teaching_long": "Pengajaran yang sama (murid, pengajar, keterampilan) tersimpan lebih dari "
                                        "sekali (melanggar aturan data). Dihitung sekali, sejak tanggal paling awal; "
                                        "perbaikan data menghapus salinan lainnya.",
        # ---------------------------------------------------------------- quality
        "quality.title": "Kualitas data",
        "quality.lead": "Temuan pemeriksaan data (tular check) atas semua catatan di basis data pada tanggal "
                        "laporan, untuk keterampilan yang dipilih. Memperbaikinya membuat angka lebih tepat.",
        "quality.undated": "Pengajaran tanpa tanggal tidak dicari: tidak mungkin ada, karena pengajaran tidak "
                           "dapat diimpor atau disimpan tanpa tanggal.",
        "quality.warnings": "Catatan perhitungan per {date}",
        "quality.unbudgeted": "{skill}: pelatihan tanpa anggaran tidak ikut dalam biaya per IKM: {trainings}.",
        "quality.seeds_taught": "{skill}: {count} peserta pelatihan juga tercatat diajar IKM lain; mereka tetap "
                                "dihitung sebagai generasi 0.",
        "quality.no_warnings": "Tidak ada catatan.",
        "quality.findings": "Temuan",
        "quality.more": "… dan {count} temuan lainnya: jalankan tular check.",
        "quality.same_name": "nama sama di kelurahan yang sama",
        "quality.same_phone": "nomor telepon sama",
        "quality.fragment": "kelompok {size} IKM, berawal dari {top}",
        "quality.dated": "pengajaran tanggal {date}",
        "quality.cycle": "{path} (mengajar berurutan, kembali ke awal)",
        "quality.duplicate": "tersimpan {count} kali: {dates}",
        "quality.public": "Edisi publik hanya memuat jumlah temuan. Rinciannya ada di edisi internal.",
        # ---------------------------------------------------------------- methodology
        "method.title": "Lampiran: metodologi",
        "method.lead": "Definisi di balik setiap angka laporan ini (spesifikasi tular, bagian 5), dengan bahasa "
                       "sehari-hari. Semua angka dihitung per tanggal data T: peristiwa sesudah T belum ada.",
        "method.seeds": "Dilatih (benih, generasi 0)",
        "method.seeds_text": "IKM yang menyelesaikan pelatihan keterampilan itu yang berakhir paling lambat T. "
                             "Peserta yang tidak menyelesaikan pelatihan tidak dihitung.",
        "method.reached": "Terjangkau",
        "method.reached_text": "IKM yang belajar keterampilan dari peserta, langsung atau lewat rantai murid, "
                               "dengan pengajaran bertanggal paling lambat T. Peserta sendiri tidak termasuk.",
        "method.generation": "Generasi",
        "method.generation_text": "Jumlah langkah pengajaran paling sedikit dari peserta mana pun ke IKM itu. "
                                  "Generasi terdalam adalah generasi terbesar.",
        "method.total": "Total dan pengganda",
        "method.total_text": "Total = dilatih + terjangkau. Pengganda = total dibagi dilatih (2 peserta yang "
                             "menjangkau 20 IKM: total 22, pengganda 11,0). Tanpa peserta, pengganda kosong (—).",
        "method.ratio": "Rasio dan ikut mengajar",
        "method.ratio_text": "Rasio generasi g = jumlah IKM generasi g+1 dibagi jumlah generasi g. Ikut mengajar "
                             "= bagian IKM generasi g yang mengajar sedikitnya satu IKM yang terjangkau.",
        "method.areas": "Per kelurahan dan kecamatan",
        "method.areas_text": "Menurut tempat IKM itu sendiri. Dari luar wilayah = IKM terjangkau yang semua "
                             "peserta terdekatnya tinggal di wilayah lain. Rantai selalu dihitung untuk seluruh "
                             "kota; wilayah hanya memilih siapa yang dihitung.",
        "method.coverage": "Cakupan",
        "method.coverage_text": "Total dibagi jumlah IKM di wilayah itu: 13.000 untuk kota (kecuali ada data "
                                "populasi), dan untuk kelurahan jumlah IKM yang tercatat di sana.",
        "method.cost": "Biaya per IKM",
        "method.cost_text": "Jumlah anggaran pelatihan yang menghasilkan sedikitnya satu peserta, dibagi total "
                            "(peserta dan yang mereka jangkau). Pelatihan tanpa anggaran tidak ikut dihitung.",
        "method.all_skills": "Semua keterampilan bersama",
        "method.all_skills_text": "Setiap IKM dihitung satu kali: dilatih = peserta sedikitnya satu keterampilan; "
                                  "total = peserta atau terjangkau sedikitnya satu keterampilan; belajar dari "
                                  "sesama = total − dilatih. Anggaran setiap pelatihan dihitung satu kali.",
        "method.programmes": "Program dan perubahan tahunan",
        "method.programmes_text": "Angka utama bersifat kumulatif: semua pelatihan yang berakhir paling lambat T. "
                                  "Program tahun ini = pelatihan yang berakhir pada tahun laporan, masing-masing "
                                  "dihitung sebagai satu angkatan (hanya pesertanya yang menjadi benih). "
                                  "Perubahan tahunan membandingkan keadaan 31 Desember tahun sebelumnya dengan T.",
        "method.onward": "Jangkauan lanjutan",
        "method.onward_text": "Jumlah IKM yang belajar dari seseorang, langsung atau tidak langsung. IKM yang "
                              "belajar dari dua pengajar dihitung untuk keduanya.",
        "method.outcomes": "Hasil usaha per generasi",
        "method.outcomes_text": "Bagian IKM generasi g yang punya hasil usaha bertanggal paling lambat T dan tidak "
                                "sebelum hari ia belajar keterampilan itu (peserta: akhir pelatihan pertamanya; "
                                "lainnya: tanggal pertama ia diajar). Satu IKM dihitung sekali berapa pun hasilnya.",
        "method.plan": "Rencana angkatan berikutnya",
        "method.plan_text": "Kelurahan yang punya IKM tercatat, diurutkan menurut kebutuhan (jumlah IKM dikurangi "
                            "yang sudah dilatih atau tertular), lalu jumlah rantai putus, lalu nama; satu kursi per "
                            "kelurahan. Narasumber: IKM yang sudah menularkan, menurut jangkauan lanjutan lalu "
                            "jumlah hasil usaha. Kunjungan: murid dorman, menurut jumlah IKM yang diajar dari "
                            "kelurahannya, lalu lama dorman.",
        "method.broken": "Rantai putus (jendela W = {days} hari)",
        "method.broken_text": "Peserta belum mengajar: pelatihannya selesai W hari atau lebih sebelum T dan ia "
                              "belum mengajar siapa pun. Rantai macet: peserta yang rantainya tidak mengajar "
                              "siapa pun dalam W hari terakhir. Dorman: IKM terjangkau yang belajar W hari atau "
                              "lebih sebelum T dan belum mengajar. Yatim: IKM dengan catatan pengajaran yang "
                              "tidak terhubung ke peserta mana pun.",
        "method.as_of": "Tanggal data",
        "method.as_of_text": "T = 31 Desember tahun laporan, atau hari ini selama tahun itu masih berjalan. "
                             "Pengajaran bertanggal sesudah T belum dihitung.",
        # ---------------------------------------------------------------- charts
        "chart.previous": "31 Des {year}",
    },
    "en": {
        # ---------------------------------------------------------------- document
        "doc.title": "Annual Impact Report {year}",
        "doc.subtitle": "Train-the-trainer programmes for IKM: how far the skills travelled",
        "doc.office": "Cooperatives, Industry and Trade Office (Diskopindag), Kota Malang",
        "doc.edition_internal": "Internal edition",
        "doc.edition_internal_note": "Contains personal names (Law 27/2022 on Personal Data Protection): for "
                                     "officers only, do not circulate.",
        "doc.edition_public": "Public edition",
        "doc.edition_public_note": "No personal names outside the top-teachers list; the follow-up list as "
                                   "counts per kelurahan only.",
        "doc.as_of": "Data as of {date}",
        "doc.as_of_year_end": "Every number counts up to 31 December {year}, the end of the report's year.",
        "doc.as_of_year_to_date": "{year} is not over yet: every number counts up to today, {date}, not to "
                                  "31 December.",
        "doc.report_date": "Report date: {date}",
        "doc.skills": "Skills: {skills}",
        "doc.page": "Page",
        "doc.of": "of",
        "doc.footer": "Annual Impact Report {year} · {edition}",
        "doc.contents": "Contents",
        "doc.glance": "At a glance",
        "doc.generated_by": "Made with tular from the recorded data; every number can be traced with the "
                            "tular reach and tular broken commands for the same date.",
        # ---------------------------------------------------------------- shared labels
        "label.skill": "Skill",
        "label.seeds": "Trained",
        "label.reached": "Reached",
        "label.total": "Total",
        "label.multiplier": "Multiplier",
        "label.max_depth": "Deepest generation",
        "label.coverage": "Coverage",
        "label.cost_per_ikm": "Cost per IKM",
        "label.budget": "Budget",
        "label.generation": "Generation",
        "label.ikm": "IKM",
        "label.ratio": "Ratio to next generation",
        "label.active_share": "Went on to teach",
        "label.kecamatan": "Kecamatan",
        "label.kelurahan": "Kelurahan",
        "label.imported": "From outside the area",
        "label.population": "IKM on record",
        "label.trained_any": "Trained (IKM)",
        "label.total_any": "IKM with a skill (distinct)",
        "label.name": "Name",
        "label.ikm_id": "IKM id",
        "label.onward_reach": "Onward reach",
        "label.training": "Training",
        "label.kind": "Kind",
        "label.detail": "Detail",
        "label.days_dormant": "Days without activity",
        "label.learned_on": "Trained / learned",
        "label.count": "Count",
        "label.change": "Change",
        "label.all_skills": "All skills (distinct IKM)",
        "label.city": "City",
        "label.sum": "Total",
        # ---------------------------------------------------------------- glance / summary
        "glance.total": "IKM with a skill",
        "glance.total_note": "{trained} trained by Diskopindag, {learned_only} learned from their peers",
        "glance.multiplier": "Multiplier",
        "glance.multiplier_note": "IKM with the skill per IKM trained",
        "glance.coverage": "Coverage of the city's IKM",
        "glance.coverage_note": "of the city's {population} IKM",
        "glance.cost": "Cost per IKM",
        "glance.cost_note": "training budget of {budget} divided by the total",
        "summary.title": "Summary",
        "summary.lead": "As of {date}, {trained} IKM had completed a Diskopindag training and {learned_only} more "
                        "learned from them, directly or through their learners: {total} IKM hold at least one "
                        "skill, {coverage} of the city's {population} IKM. Every IKM trained became {multiplier} "
                        "IKM with the skill.",
        "summary.lead_no_seeds": "As of {date} no IKM had completed a training of the chosen skills, so there is "
                                 "no reach to report yet.",
        "summary.cost": "The budget of the {trainings} trainings that produced trainees, {budget}, comes to "
                        "{cost} per IKM with the skill.",
        "summary.cost_none": "No training budget is recorded, so the cost per IKM cannot be computed.",
        "summary.change": "Against 31 December {previous_year}: {change} IKM ({percent}); the multiplier went "
                          "from {previous_multiplier} to {multiplier}.",
        "summary.change_from_zero": "On 31 December {previous_year} no IKM was recorded with these skills yet.",
        "summary.table": "Reach per skill as of {date}",
        "summary.programmes": "{count} trainings ended in {year}; see Programmes of {year} for what they "
                              "achieved.",
        "summary.no_programmes": "No training of the chosen skills ended in {year}.",
        "summary.without_data": "No data yet for: {skills}.",
        "summary.table_note": "Total = trained + reached. The last row counts every IKM once, even when it holds "
                              "several skills.",
        # ---------------------------------------------------------------- year on year
        "yoy.title": "Change from the previous year",
        "yoy.lead": "The state on 31 December {previous_year} against the state on {date}. The growth of the "
                    "total is the IKM trained, or who began to hold a skill, during {year}.",
        "yoy.chart": "IKM per skill: {previous} and {now}",
        "yoy.percent": "Change (%)",
        # ---------------------------------------------------------------- programmes
        "prog.title": "Programmes of {year}",
        "prog.lead": "The trainings that ended in {year}, each as one cohort: the participants who completed it "
                     "(trained) and the IKM who learned from them up to {date}.",
        "prog.none": "No training of the chosen skills ended in {year}.",
        "prog.chart": "IKM per generation, per training",
        "prog.target": "Target group",
        "prog.period": "{start} – {end}",
        # ---------------------------------------------------------------- per skill
        "skill.title": "Reach per skill",
        "skill.lead": "For each skill: the trainees (generation 0), the IKM who learned from them by generation, "
                      "and the spread per kecamatan, as of {date}. Hollow bars: the state on 31 December "
                      "{previous_year}.",
        "skill.figures": "{seeds} trained · {reached} reached · total {total} · multiplier {multiplier} · "
                         "deepest generation {max_depth} · coverage {coverage} · cost per IKM {cost}",
        "skill.chart_now": "as of {date}",
        "skill.chart_previous": "as of 31 Dec {previous_year}",
        "skill.chart_y": "IKM",
        "skill.by_kecamatan": "Per kecamatan",
        # ---------------------------------------------------------------- areas
        "area.title": "Reach by area",
        "area.lead": "IKM holding at least one skill, by the kelurahan where each IKM is. Coverage = IKM with a "
                     "skill divided by the IKM on record in that kelurahan.",
        "area.picture": "Map of reach: IKM per kelurahan, grouped by kecamatan. The percentage at the end of a "
                        "bar: the kelurahan's coverage.",
        "area.picture_trained": "trained",
        "area.picture_learned": "learned from peers",
        "area.picture_x": "IKM holding at least one skill",
        "area.nothing": "As of {date} no IKM holds the chosen skills yet.",
        "area.kecamatan_table": "Per kecamatan",
        "area.kelurahan_table": "Per kelurahan: total IKM per skill",
        "area.kelurahan_note": "Per skill = trained + reached in that skill. The IKM-with-a-skill column counts "
                               "every IKM once.",
        # ---------------------------------------------------------------- top teachers
        "top.title": "Top teachers",
        "top.lead": "For each skill, the {count} IKM with the largest onward reach: how many IKM learned the "
                    "skill from them, directly or through their learners, as of {date}. They are candidate "
                    "resource persons for the next training.",
        "top.none": "No IKM has taught the chosen skills yet.",
        # ---------------------------------------------------------------- outcomes
        "outcome.title": "Business outcomes by generation",
        "outcome.lead": "Are learners three steps from the training doing as well as the trainees? The share of "
                        "each generation's IKM with at least one outcome (exhibition, online sales, first sale, "
                        "certification, employees, revenue band) recorded after they learned the skill, as of {date}.",
        "outcome.generation": "Generation {generation}",
        "outcome.of": "{with_outcome} of {count}",
        "outcome.note": "Outcomes recorded without a skill count for every skill. By kind, kelurahan and cohort: "
                        "tular outcomes --skill SKILL --kind KIND --after-learning.",
        "outcome.none": "No business outcome recorded for the chosen skills yet.",
        # ---------------------------------------------------------------- next cohort
        "plan.title": "Next cohort",
        "plan.lead": "Proposals for the {year} training with {seats} seats per skill, from the data as of {date}: "
                     "the kelurahan with the largest unmet need (IKM minus those trained or reached, then broken "
                     "chains there), narasumber to co-teach, and dormant learners worth a visit.",
        "plan.population": "IKM",
        "plan.total": "Reached",
        "plan.unmet": "Unmet need",
        "plan.broken": "Broken chains",
        "plan.narasumber": "Narasumber",
        "plan.narasumber_reason": "passed it on to {reach} IKM, {outcomes} outcomes",
        "plan.narasumber_described": "a {skill} maker in {kelurahan}",
        "top.described": "A {skill} maker in {kelurahan} who passed the skill on to {reach} IKM",
        "label.who": "Who",
        "plan.visits": "Visits",
        "plan.visit_reason": "dormant {days} days",
        "plan.visits_public": "Public edition: visits per kelurahan; the names are in the internal edition.",
        "plan.none": "Not enough data to plan yet.",
        "plan.how": "Ranking and reasons: tular plan --skill SKILL --seats N (see the README).",
        # ---------------------------------------------------------------- follow-up
        "follow.title": "Follow-up: where the chain broke",
        "follow.lead": "With a window of {days} days before {date}: whom field officers should visit so that the "
                       "chain does not break.",
        "follow.counts": "Findings per kelurahan",
        "follow.none": "No chain is broken.",
        "follow.newly": "Newly dormant {year}",
        "follow.see_appendix": "Whom to visit, by name: see {title}.",
        "follow.more": "… and {count} more",
        "follow.full_list": "Full list: tular broken --skill SKILL --as-of {as_of} --json.",
        "follow.public": "The public edition holds the counts per kelurahan only. The names are in the internal "
                         "edition.",
        "visits.title": "Appendix: visit list",
        "visits.lead": "Per kelurahan: the trainees who have taught nobody, and the IKM who fell dormant during "
                       "{year} (learned between {since} and {until}, then {days} days without teaching) — the "
                       "likeliest to take up teaching again. At most {limit} people per kelurahan, the most recent "
                       "first.",
        "kind.dead_seed": "Trainee who has not taught",
        "kind.dead_seed_long": "A trainee whose training ended {days} days or more before the data's date and who "
                               "has taught nobody.",
        "kind.dead_seed_short": "Trainee",
        "kind.dormant_leaf_short": "Dormant",
        "kind.stalled_lineage": "Stalled chain",
        "kind.stalled_lineage_long": "A trainee whose chain (the trainee and all their learners) taught nobody in "
                                     "the last {days} days.",
        "kind.dormant_leaf": "Dormant",
        "kind.dormant_leaf_long": "An IKM who learned {days} days or more before the data's date and has taught "
                                  "nobody: where to send a field officer.",
        "kind.orphan": "Orphan",
        "kind.probable_duplicate": "Probably the same person",
        "kind.probable_duplicate_long": "Two or more ids with the same name in the same kelurahan, or the same "
                                        "phone number.",
        "kind.out_of_order": "Dates out of order",
        "kind.out_of_order_long": "A teaching dated before its teacher learned the skill.",
        "kind.learner_is_trainee": "Learner who is also a trainee",
        "kind.learner_is_trainee_long": "A learner who also completed a training of the same skill; they count "
                                        "as a trainee (generation 0), not as reached.",
        "kind.orphan_long": "IKM with teaching records that no trainee reaches (where they learned is not "
                            "recorded); one finding per group.",
        "kind.cycle": "Teachings in a circle",
        "kind.cycle_long": "Teachings of one skill that come back to an IKM who taught it (against the data's "
                           "rules). Delete the wrong teaching — usually the learner and teacher were swapped. "
                           "Until then the numbers do not follow a teaching to an IKM already reached.",
        "kind.duplicate_teaching": "Teaching recorded twice",
        "kind.duplicate_teaching_long": "The same teaching (learner, teacher, skill) stored more than once (against "
                                        "the data's rules). It counts once, from its earliest date; the data repair "
                                        "removes the other copies.",
        # ---------------------------------------------------------------- quality
        "quality.title": "Data quality",
        "quality.lead": "What the data check (tular check) finds in every record of the database on the report "
                        "date, for the chosen skills. Fixing them makes the numbers more accurate.",
        "quality.undated": "Undated teachings are not looked for: none can exist, because a teaching cannot be "
                           "imported or stored without a date.",
        "quality.warnings": "Notes on the numbers as of {date}",
        "quality.unbudgeted": "{skill}: trainings without a budget are left out of the cost per IKM: "
                              "{trainings}.",
        "quality.seeds_taught": "{skill}: {count} trainee(s) were also recorded as taught by another IKM; "
                                "they still count as generation 0.",
        "quality.no_warnings": "No notes.",
        "quality.findings": "Findings",
        "quality.more": "… and {count} more findings: run tular check.",
        "quality.same_name": "same name in the same kelurahan",
        "quality.same_phone": "same phone number",
        "quality.fragment": "a group of {size} IKM, starting at {top}",
        "quality.dated": "teaching dated {date}",
        "quality.cycle": "{path} (each taught the next, back to the first)",
        "quality.duplicate": "stored {count} times: {dates}",
        "quality.public": "The public edition holds the counts only. The details are in the internal edition.",
        # ---------------------------------------------------------------- methodology
        "method.title": "Appendix: methodology",
        "method.lead": "The definitions behind every number of this report (tular specification, section 5), in "
                       "plain words. Every number is counted as of the data's date T: events after T do not "
                       "exist yet.",
        "method.seeds": "Trained (seeds, generation 0)",
        "method.seeds_text": "IKM who completed a training of the skill that ended by T. Participants who did "
                             "not complete a training are not counted.",
        "method.reached": "Reached",
        "method.reached_text": "IKM who learned the skill from a trainee, directly or through a chain of "
                               "learners, through teachings dated by T. The trainees themselves are not included.",
        "method.generation": "Generation",
        "method.generation_text": "The fewest teaching steps from any trainee to the IKM. The deepest generation "
                                  "is the largest one.",
        "method.total": "Total and multiplier",
        "method.total_text": "Total = trained + reached. Multiplier = total divided by trained (2 trainees who "
                             "reach 20 IKM: total 22, multiplier 11.0). Without trainees there is no "
                             "multiplier (—).",
        "method.ratio": "Ratio and went on to teach",
        "method.ratio_text": "The ratio of generation g = the IKM of generation g+1 divided by those of "
                             "generation g. Went on to teach = the share of generation g who taught at least one "
                             "reached IKM.",
        "method.areas": "Per kelurahan and kecamatan",
        "method.areas_text": "By where each IKM itself is. From outside the area = reached IKM whose nearest "
                             "trainees all live elsewhere. The chains are always those of the whole city; an area "
                             "only chooses who is counted.",
        "method.coverage": "Coverage",
        "method.coverage_text": "The total divided by the number of IKM in the area: 13,000 for the city (unless "
                                "population data is recorded), and for a kelurahan the IKM on record there.",
        "method.cost": "Cost per IKM",
        "method.cost_text": "The budgets of the trainings that produced at least one trainee, divided by the "
                            "total (trainees and those they reached). Trainings without a budget are left out.",
        "method.all_skills": "All skills together",
        "method.all_skills_text": "Every IKM counts once: trained = a trainee of at least one skill; total = a "
                                  "trainee or reached in at least one skill; learned from peers = total − trained. "
                                  "Each training's budget counts once.",
        "method.programmes": "Programmes and the change over the year",
        "method.programmes_text": "The headline numbers are cumulative: every training ended by T. The year's "
                                  "programmes are the trainings that ended in the report's year, each counted as "
                                  "one cohort (only its participants are seeds). The change over the year "
                                  "compares 31 December of the previous year with T.",
        "method.onward": "Onward reach",
        "method.onward_text": "The number of IKM who learned from someone, directly or not. An IKM who learned "
                              "from two teachers counts for both.",
        "method.outcomes": "Business outcomes by generation",
        "method.outcomes_text": "The share of generation-g IKM with an outcome dated on or before T and not before "
                                "the day they learned the skill (a trainee: the end of its first training; others: "
                                "the date they were first taught). An IKM counts once however many outcomes it has.",
        "method.plan": "Next cohort",
        "method.plan_text": "Kelurahan with IKM on record, ranked by unmet need (IKM minus those trained or "
                            "reached), then broken chains, then name; one seat per kelurahan. Narasumber: IKM who "
                            "passed the skill on, by onward reach, then outcomes. Visits: dormant learners, by the "
                            "number of IKM taught from their kelurahan, then days dormant.",
        "method.broken": "Broken chains (window W = {days} days)",
        "method.broken_text": "Trainee who has not taught: the training ended W days or more before T and they "
                              "have taught nobody. Stalled chain: a trainee whose chain taught nobody in the last W "
                              "days. Dormant: a reached IKM who learned W days or more before T and has not "
                              "taught. Orphan: an IKM with teaching records that connect to no trainee.",
        "method.as_of": "The data's date",
        "method.as_of_text": "T = 31 December of the report's year, or today while that year is not over. "
                             "Teachings dated after T are not counted.",
        # ---------------------------------------------------------------- charts
        "chart.previous": "31 Dec {year}",
    },
}
